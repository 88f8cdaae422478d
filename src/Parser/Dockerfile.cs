using Ashlar.Parser.Instructions;
using Ashlar.Parser.Syntax;

namespace Ashlar.Parser;

/// <summary>A parsed Dockerfile: its directives, the ARGs before the first FROM, and its stages.</summary>
public sealed record Dockerfile
{
    /// <summary>The name it was parsed under.</summary>
    public required string FileName { get; init; }

    /// <summary>Every parser directive, in order.</summary>
    public required IReadOnlyList<Directive> Directives { get; init; }

    /// <summary>The escape character (<c>\</c> or <c>`</c>); build a <see cref="Shell.ShellLexer"/> with it.</summary>
    public required char EscapeToken { get; init; }

    /// <summary>ARG instructions before the first FROM (usable in FROM lines and re-declared in stages).</summary>
    public required IReadOnlyList<ArgInstruction> GlobalArgs { get; init; }

    /// <summary>The stages in order.</summary>
    public required IReadOnlyList<Stage> Stages { get; init; }

    /// <summary>Non-fatal findings of the parser.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The <c># syntax=</c> value, or null.</summary>
    public string? Syntax => Directive("syntax");

    /// <summary>The <c># check=</c> value (e.g. <c>skip=JSONArgsRecommended;error=true</c>), or null.</summary>
    public string? Check => Directive("check");

    private string? Directive(string name) => Directives.FirstOrDefault(d => d.Name == name)?.Value;

    /// <summary>The stage called <paramref name="nameOrIndex"/> (a name, case-insensitive, or a 0-based index), or null.</summary>
    public Stage? FindStage(string nameOrIndex)
    {
        var lower = nameOrIndex.ToLowerInvariant();
        var named = Stages.FirstOrDefault(s => s.Name == lower);
        if (named is not null)
            return named;
        return int.TryParse(nameOrIndex, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index)
            && index < Stages.Count ? Stages[index] : null;
    }
}
