using Ashlar.Executor.Init;

namespace Ashlar.Executor.Containers;

/// <summary>
/// Finds the program that becomes each container's PID 1: <c>$ASHLAR_INIT</c>, an <c>ashlar-init</c> next to
/// this application, this very binary when it is the NativeAOT <c>ashlar</c>, or, slower, the init assembly run
/// by the <c>dotnet</c> host (a JIT-started runtime costs about 30 ms per container).
/// </summary>
internal sealed record InitBinary(string Path, IReadOnlyList<string> Argv)
{
    public const string EnvironmentVariable = "ASHLAR_INIT";
    public const string FileName = "ashlar-init";

    private static readonly Lazy<InitBinary> Located = new(Locate);

    /// <summary>
    /// Whether this process is a NativeAOT binary. Not RuntimeFeature.IsDynamicCodeSupported: PublishAot projects
    /// switch that off under the JIT too. A NativeAOT assembly has no file.
    /// </summary>
    internal static bool IsNativeAot { get; } = HasNoAssemblyFile();

    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("SingleFile", "IL3000", Justification = "An empty Location is exactly what is tested.")]
    private static bool HasNoAssemblyFile() => string.IsNullOrEmpty(typeof(InitBinary).Assembly.Location);

    /// <summary>Tests force a particular init (e.g. the JIT fallback) through this.</summary>
    internal static InitBinary? Override { get; set; }

    public static InitBinary Current => Override ?? Located.Value;

    /// <summary>The init assembly next to this application run by the dotnet host (null when either is missing).</summary>
    internal static InitBinary? JitStarted()
    {
        var assembly = System.IO.Path.Combine(AppContext.BaseDirectory, FileName + ".dll");
        return File.Exists(assembly) && FindDotnetHost() is { } dotnet
            ? new InitBinary(dotnet, [dotnet, "exec", assembly, ContainerInit.Argument])
            : null;
    }

    private static InitBinary Locate()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } configured)
            return Native(configured);
        var sibling = System.IO.Path.Combine(AppContext.BaseDirectory, FileName);
        if (File.Exists(sibling) && !File.Exists(sibling + ".dll"))
            return Native(sibling);
        if (IsNativeAot && Environment.ProcessPath is { } self)
            return Native(self);
        return JitStarted() ?? throw new FileNotFoundException(
            $"no container init found: set {EnvironmentVariable}, or put {FileName} next to {AppContext.BaseDirectory}");
    }

    private static InitBinary Native(string path) => new(path, [path, ContainerInit.Argument]);

    private static string? FindDotnetHost()
    {
        if (Environment.ProcessPath is { } process && System.IO.Path.GetFileName(process) == "dotnet") return process;
        var candidates = new[] { Environment.GetEnvironmentVariable("DOTNET_HOST_PATH"), Environment.GetEnvironmentVariable("DOTNET_ROOT") is { } root ? System.IO.Path.Combine(root, "dotnet") : null }
            .Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(dir => System.IO.Path.Combine(dir, "dotnet")));
        return candidates.FirstOrDefault(c => c is not null && File.Exists(c));
    }
}
