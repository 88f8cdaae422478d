using Ashlar.Parser.Instructions;

namespace Ashlar.Parser;

/// <summary>A build stage: a FROM and the instructions up to the next FROM.</summary>
/// <param name="Index">0-based position among the stages (COPY --from=0 refers to it).</param>
/// <param name="Name">The <c>AS</c> name, lower-cased, or null.</param>
/// <param name="BaseName">The image or stage it starts from, as written (expand with the global ARGs).</param>
/// <param name="Platform">The <c>--platform</c> value as written, or null.</param>
/// <param name="From">The FROM instruction itself.</param>
/// <param name="Instructions">The instructions after FROM, in order.</param>
public sealed record Stage(
    int Index,
    string? Name,
    string BaseName,
    string? Platform,
    FromInstruction From,
    IReadOnlyList<Instruction> Instructions);
