using System.Security.Cryptography;
using System.Text.Json;
using Ashlar.Images.Content;

namespace Ashlar.Builder.Graph;

/// <summary>
/// One node of the build graph, BuildKit's LLB idea: the Dockerfile is lowered into a few plain operations and
/// only these reach the solver. Each op has a digest of its normalised definition (instructions after
/// expansion, never raw text) folded with its inputs' digests: the cache keys of the layer cache hang off it.
/// </summary>
internal abstract record Op
{
    private Digest? _digest;

    /// <summary>The op kind as it appears in the definition ("source", "exec", "file", "config", "local").</summary>
    public abstract string Kind { get; }

    /// <summary>The ops whose results this one reads.</summary>
    public abstract IEnumerable<Op> Inputs { get; }

    /// <summary>The digest of the definition and the inputs' digests.</summary>
    public Digest Digest => _digest ??= ComputeDigest();

    /// <summary>Writes the fields that define the result, in a fixed order.</summary>
    protected abstract void WriteDefinition(Utf8JsonWriter writer);

    /// <summary>
    /// The definition a cache key folds: the op's own fields after expansion, without its inputs' op digests. The
    /// cache folds the inputs' results instead (the parent step's key, a source stage's key, file contents), so a
    /// metadata-only change above (LABEL) or a renamed stage does not change it.
    /// </summary>
    public string CacheDefinition()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("kind", Kind);
            writer.WriteStartObject("definition");
            using (OmitInputDigests.Enter())
                WriteDefinition(writer);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Writes an input op's digest, except while a <see cref="CacheDefinition"/> is written (its key folds the input's result).</summary>
    internal static void WriteInput(Utf8JsonWriter writer, string name, Op input)
    {
        if (OmitInputDigests.Active) writer.WriteString(name, input.Kind);
        else writer.WriteString(name, input.Digest.ToString());
    }

    /// <summary>The canonical definition, as hashed (for diagnostics and tests).</summary>
    public string Definition()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("kind", Kind);
            writer.WriteStartArray("inputs");
            foreach (var input in Inputs)
                writer.WriteStringValue(input.Digest.ToString());
            writer.WriteEndArray();
            writer.WriteStartObject("definition");
            WriteDefinition(writer);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private Digest ComputeDigest() => Digest.FromHash(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Definition())));

    protected static void WriteStrings(Utf8JsonWriter writer, string name, IEnumerable<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
            writer.WriteStringValue(value);
        writer.WriteEndArray();
    }

    // Records compare by value; ops are identities in the graph.
    public virtual bool Equals(Op? other) => ReferenceEquals(this, other);
    public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);
}
