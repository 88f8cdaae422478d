using Ashlar.Images.Content;
using Ashlar.Images.Formats;
using Ashlar.Images.References;

namespace Ashlar.Images.Store;

/// <summary>One row of <c>ashlar images</c>: a reference (null for a dangling image) and what it points at.</summary>
/// <param name="Reference">The tag, or null when the image is dangling (shown as &lt;none&gt;).</param>
/// <param name="Target">The manifest (or index) descriptor in index.json.</param>
/// <param name="Id">The image ID: the config digest (the index digest for a multi-platform image).</param>
/// <param name="Created">When the image was created, from its config.</param>
/// <param name="Size">Bytes of content: config plus layers as stored.</param>
public sealed record ImageSummary(ImageReference? Reference, Descriptor Target, Digest Id, DateTime? Created, long Size)
{
    /// <summary>Whether no reference names this image.</summary>
    public bool IsDangling => Reference is null;
}
