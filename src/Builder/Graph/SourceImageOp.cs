using System.Text.Json;

namespace Ashlar.Builder.Graph;

/// <summary>A base image's file system: <c>FROM image</c>, <c>COPY --from=image</c>, a bind mount from an image, or scratch.</summary>
/// <param name="Reference">The normalised reference, or <c>scratch</c>.</param>
/// <param name="ManifestDigest">The manifest the reference resolved to (pinned per build), null for scratch.</param>
/// <param name="Platform">The platform the image was chosen for.</param>
internal sealed record SourceImageOp(string Reference, string? ManifestDigest, string Platform) : Op
{
    public const string Scratch = "scratch";

    public override string Kind => "source";
    public override IEnumerable<Op> Inputs => [];
    public bool IsScratch => Reference == Scratch;

    protected override void WriteDefinition(Utf8JsonWriter writer)
    {
        // The digest identifies the content; the name only matters for scratch.
        writer.WriteString("image", ManifestDigest ?? Reference);
        writer.WriteString("platform", Platform);
    }
}
