namespace Ashlar.Parser.Shell;

/// <summary>The outcome of expanding one shell word.</summary>
/// <param name="Result">The word with quotes removed and variables replaced (no splitting).</param>
/// <param name="Words">The same text split on unquoted white space (white space from variable values splits too).</param>
/// <param name="Matched">Variable names that were looked up and found in the environment.</param>
/// <param name="Unmatched">Variable names that were looked up and not found.</param>
public sealed record ShellExpansion(
    string Result,
    IReadOnlyList<string> Words,
    IReadOnlySet<string> Matched,
    IReadOnlySet<string> Unmatched);
