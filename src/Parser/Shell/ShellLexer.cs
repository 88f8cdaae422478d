using Pidgin;

namespace Ashlar.Parser.Shell;

/// <summary>
/// Word splitting and variable expansion exactly as BuildKit's shell lexer (frontend/dockerfile/shell/lex.go) does them:
/// single and double quotes, the escape character, <c>$v</c>, <c>${v}</c>, and the modifiers
/// <c>${v:-w} ${v-w} ${v:+w} ${v+w} ${v:?m} ${v?m} ${v#p} ${v##p} ${v%p} ${v%%p} ${v/p/r} ${v//p/r}</c>.
/// Instances are immutable and safe to share between threads.
/// </summary>
/// <remarks>
/// Which instructions expand variables follows BuildKit: ADD, COPY, ENV, EXPOSE, FROM, LABEL, STOPSIGNAL, USER, VOLUME,
/// WORKDIR, ARG values and the flags of COPY/ADD/RUN --mount do; RUN, CMD, ENTRYPOINT, SHELL and HEALTHCHECK do not
/// (their shell does). See <see cref="Instructions.Instruction.ExpandsVariables"/>.
/// </remarks>
public sealed class ShellLexer
{
    /// <summary>Creates a lexer. <paramref name="escapeToken"/> is <c>\</c> or <c>`</c> (the file's <c># escape=</c>).</summary>
    public ShellLexer(char escapeToken = '\\')
    {
        if (escapeToken is not ('\\' or '`'))
            throw new ParseError($"invalid escape token '{escapeToken}' does not match ` or \\");
        EscapeToken = escapeToken;
    }

    /// <summary>The escape character.</summary>
    public char EscapeToken { get; }

    /// <summary>Keep quote characters in the result (BuildKit's <c>RawQuotes</c>).</summary>
    public bool RawQuotes { get; init; }

    /// <summary>Keep escape characters in the result (BuildKit's <c>RawEscapes</c>).</summary>
    public bool RawEscapes { get; init; }

    /// <summary>Leave references to unset variables as written instead of expanding them to nothing (BuildKit's <c>SkipUnsetEnv</c>).</summary>
    public bool SkipUnsetEnv { get; init; }

    /// <summary>Expands <paramref name="word"/> as one word: quotes removed, variables replaced, no splitting.</summary>
    /// <exception cref="ParseError">The word is malformed or a <c>${v?message}</c> check fails.</exception>
    public string ProcessWord(string word, IReadOnlyDictionary<string, string> env) => Process(word, env).Result;

    /// <summary>Expands <paramref name="word"/> and splits it into words on unquoted white space.</summary>
    /// <exception cref="ParseError">The text is malformed or a <c>${v?message}</c> check fails.</exception>
    public IReadOnlyList<string> ProcessWords(string word, IReadOnlyDictionary<string, string> env) => Process(word, env).Words;

    /// <summary>
    /// Expands <paramref name="word"/> and reports which variable names it used (found or not), which is what a cache
    /// key needs to know about the build arguments a step depends on.
    /// </summary>
    /// <exception cref="ParseError">The word is malformed or a <c>${v?message}</c> check fails.</exception>
    public ShellExpansion ProcessWordWithMatches(string word, IReadOnlyDictionary<string, string> env) => Process(word, env);

    private ShellExpansion Process(string word, IReadOnlyDictionary<string, string> env)
    {
        ArgumentNullException.ThrowIfNull(word);
        ArgumentNullException.ThrowIfNull(env);
        if (ExpansionDepth(word) > MaxExpansionDepth)
            throw new ParseError($"failed to process \"{Shorten(word)}\": variable expansions nested too deeply");
        var parsed = ShellWordGrammar.For(EscapeToken).Word.Parse(word);
        if (!parsed.Success)
            throw new ParseError($"failed to process \"{word}\": {Describe(parsed.Error)}");
        var expander = new ShellWordExpander(this, env);
        try
        {
            var (result, words) = expander.Expand(parsed.Value with { RawEscapes = RawEscapes });
            return new ShellExpansion(result, words, expander.Matched, expander.Unmatched);
        }
        catch (ShellWordExpander.ExpansionFailure failure)
        {
            throw new ParseError($"failed to process \"{word}\": {failure.Message}");
        }
    }

    // The grammar is recursive in ${...}; bound the nesting so no input can exhaust the stack.
    private const int MaxExpansionDepth = 100;

    private static int ExpansionDepth(string word)
    {
        int depth = 0, max = 0;
        for (var i = 0; i < word.Length; i++)
        {
            if (word[i] == '$' && i + 1 < word.Length && word[i + 1] == '{')
                max = Math.Max(max, ++depth);
            else if (word[i] == '}' && depth > 0)
                depth--;
        }
        return max;
    }

    private static string Shorten(string word) => word.Length > 80 ? word[..77] + "..." : word;

    private static string Describe(ParseError<char>? error)
    {
        if (error is null)
            return "syntax error";
        if (error.Message is { } message)
            return message;
        if (error.EOF)
            return "unexpected end of statement (missing closing quote or '}')";
        return error.Unexpected.HasValue ? $"syntax error: unexpected '{error.Unexpected.Value}'" : "syntax error";
    }
}
