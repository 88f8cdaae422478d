using Ashlar.Images.Content;
using Ashlar.Images.References;

namespace Ashlar.Images.Archives;

/// <summary>One image an archive brought in: its name (null when it came without one) and its ID.</summary>
public sealed record LoadedImage(ImageReference? Reference, Digest Id)
{
    /// <summary>docker load's line for it.</summary>
    public override string ToString() => Reference is null ? $"Loaded image ID: {Id}" : $"Loaded image: {Reference.Familiar}";
}
