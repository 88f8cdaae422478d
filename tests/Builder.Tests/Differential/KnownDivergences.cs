namespace Ashlar.Builder.Tests.Differential;

/// <summary>
/// What is left: cases where Ashlar's image still differs from BuildKit's, each with what differs. The suite expects
/// them to differ (so it stays green) and fails when one starts to match: then delete its line here. Fixes belong in
/// the builder (src/Builder), never in this list's expectations.
/// </summary>
internal static class KnownDivergences
{
    public static readonly IReadOnlyDictionary<string, string> Cases = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        // COPY/ADD history: current BuildKit writes --chown and --chmod into it (dockerfile2llb's dispatchCopy), and so
        // does Ashlar; dockerd 20.10's BuildKit v0.8 left them out.
        ["add-archive-chown"] = "ADD/COPY --chown history keeps '--chown=...' as current BuildKit does; dockerd's BuildKit v0.8 leaves it out",
        ["copy-chown-ids"] = "COPY --chown history keeps '--chown=...' as current BuildKit does; dockerd's BuildKit v0.8 leaves it out",
        ["copy-chown-names"] = "COPY --chown history keeps '--chown=...' as current BuildKit does; dockerd's BuildKit v0.8 leaves it out",
        ["copy-chmod-octal"] = "COPY --chmod history keeps '--chmod=...' as current BuildKit does; dockerd's BuildKit v0.8 leaves it out",
        // HEALTHCHECK history: current BuildKit's %q of its config has a start-interval field (dispatchHealthcheck with
        // dockerspec.HealthcheckConfig), and so does Ashlar's; v0.8's HealthConfig had four fields before Retries.
        ["healthcheck"] = "HEALTHCHECK history has current BuildKit's start-interval field (\"0s\"); dockerd's BuildKit v0.8 has none",
        ["healthcheck-none-exec"] = "HEALTHCHECK history has current BuildKit's start-interval field (\"0s\"); dockerd's BuildKit v0.8 has none",
    };

    /// <summary>
    /// Cases dockerd 20.10's built-in Dockerfile frontend (BuildKit v0.8, Dockerfile syntax 1.2) cannot build; a
    /// newer frontend would come from a registry image (<c># syntax=</c>), which the tests cannot reach. For these
    /// Ashlar's result is compared with the case's <c>expected.txt</c>: BuildKit's result as its documentation and
    /// source define it, worked out and checked by hand.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> NotBuildableByDockerd = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["copy-exclude"] = "COPY --exclude is Dockerfile 1.7 (labs) / 1.10",
        ["copy-parents"] = "COPY --parents is Dockerfile 1.7 (labs) / 1.20",
        ["run-heredoc"] = "heredocs are Dockerfile 1.4",
        ["copy-heredoc"] = "heredocs are Dockerfile 1.4",
        ["copy-chmod-symbolic"] = "symbolic --chmod is Dockerfile 1.10; BuildKit v0.8 accepts it and silently keeps the source modes",
    };
}
