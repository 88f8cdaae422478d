namespace Ashlar.Parser.Instructions;

/// <summary>
/// The command of RUN, CMD, ENTRYPOINT or HEALTHCHECK CMD. In exec form (<c>["a", "b"]</c>) the arguments are run as
/// they are; in shell form there is one argument, the text to hand to the stage's SHELL.
/// </summary>
/// <param name="Arguments">Exec form: the JSON elements. Shell form: one element, the command text as written.</param>
/// <param name="IsExecForm">True for the JSON form; false when the shell must be prepended.</param>
public sealed record CommandLine(IReadOnlyList<string> Arguments, bool IsExecForm)
{
    /// <summary>True when the stage's shell must be prepended (the shell form).</summary>
    public bool PrependShell => !IsExecForm;
}
