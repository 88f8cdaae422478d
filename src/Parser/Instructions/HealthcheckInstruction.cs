using System.Text.Json.Serialization;

namespace Ashlar.Parser.Instructions;

/// <summary>
/// <c>HEALTHCHECK NONE</c> or <c>HEALTHCHECK [--interval --timeout --start-period --start-interval --retries] CMD command</c>.
/// </summary>
/// <param name="Test">As in the image config: <c>["NONE"]</c>, <c>["CMD", args...]</c> (exec form) or <c>["CMD-SHELL", command]</c>.</param>
/// <param name="Interval">Zero when not given (the runtime default applies).</param>
/// <param name="Timeout">Zero when not given.</param>
/// <param name="StartPeriod">Zero when not given.</param>
/// <param name="StartInterval">Zero when not given.</param>
/// <param name="Retries">Zero when not given.</param>
public sealed record HealthcheckInstruction(
    IReadOnlyList<string> Test,
    TimeSpan Interval,
    TimeSpan Timeout,
    TimeSpan StartPeriod,
    TimeSpan StartInterval,
    int Retries) : Instruction
{
    [JsonIgnore]
    public override string Keyword => "HEALTHCHECK";

    /// <summary>True for <c>HEALTHCHECK NONE</c> (disables an inherited check).</summary>
    public bool IsNone => Test.Count == 1 && Test[0] == "NONE";
}
