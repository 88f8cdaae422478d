namespace Ashlar.Parser.Shell;

// The syntax of one shell word, as ShellWordGrammar reads it; ShellWordExpander gives it a value.

/// <summary>A piece of a shell word.</summary>
internal abstract record WordPart;

/// <summary>Unquoted, unescaped text: white space in it separates words.</summary>
internal sealed record PlainText(string Text) : WordPart;

/// <summary>An escape and the character it protects.</summary>
internal sealed record EscapedChar(char Char) : WordPart;

/// <summary>An escape at the very end of the input: dropped.</summary>
internal sealed record TrailingEscape : WordPart;

/// <summary><c>'...'</c>: taken literally.</summary>
internal sealed record SingleQuoted(string Text) : WordPart;

/// <summary><c>"..."</c>: literal text, escapes of <c>" $ \</c>, and expansions.</summary>
internal sealed record DoubleQuoted(IReadOnlyList<WordPart> Parts) : WordPart;

/// <summary>Inside double quotes: an escape before a character it cannot escape; both stay.</summary>
internal sealed record LoneEscape : WordPart;

/// <summary>A lone <c>$</c> that starts no name.</summary>
internal sealed record DollarSign : WordPart;

/// <summary><c>$name</c> or <c>${name}</c>.</summary>
internal sealed record Variable(string Name, bool Braced) : WordPart;

/// <summary><c>${name OP word}</c> where OP is one of <c>- + ? :- :+ :? # ## % %%</c> (or an unsupported one, rejected when evaluated).</summary>
internal sealed record Modified(string Name, string Operator, Word Argument) : WordPart;

/// <summary><c>${name/pattern/replacement}</c> and <c>${name//pattern/replacement}</c>.</summary>
internal sealed record Replacement(string Name, bool All, Word Pattern, Word With) : WordPart;

/// <summary>A sequence of parts; <paramref name="RawEscapes"/> keeps escape characters in its value (patterns do).</summary>
internal sealed record Word(IReadOnlyList<WordPart> Parts, bool RawEscapes);
