using Ashlar.Cache.Keys;
using Ashlar.Cache.Records;
using Ashlar.Images.Formats;

namespace Ashlar.Cache.Export;

/// <summary>One step of an exported cache: its key, its parent's key and what it produced.</summary>
/// <param name="Key">The step's cache key.</param>
/// <param name="Parent">The key of the step it builds on (a base image's or <see cref="CacheKey.Scratch"/> for a stage's first step).</param>
/// <param name="Instruction">How the step is shown, e.g. <c>COPY src/ .</c>; its first word is the op kind.</param>
/// <param name="Record">The cache record the importing runner serves for <paramref name="Key"/>, with the step's layer.</param>
public sealed record CacheExportStep(CacheKey Key, CacheKey Parent, string Instruction, CacheRecord Record)
{
    /// <summary>The layer blob the step added, or null for a step that adds no layer.</summary>
    public Descriptor? Layer => Record.Layer;

    /// <summary>The op kind: the instruction's first word, upper case (<c>RUN</c>, <c>COPY</c>, ...).</summary>
    public string OpKind => Instruction.TrimStart().Split(' ', 2)[0].ToUpperInvariant();
}
