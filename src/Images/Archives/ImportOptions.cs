using Ashlar.Images.Compression;
using Ashlar.Images.Formats;

namespace Ashlar.Images.Archives;

/// <summary>Settings of <see cref="RootfsImporter"/>.</summary>
public sealed record ImportOptions
{
    /// <summary>Where the tarball came from, for the history comment (docker writes "-" for stdin).</summary>
    public string Source { get; init; } = "-";

    /// <summary>A history comment instead of "Imported from SOURCE" (<c>--message</c>).</summary>
    public string? Message { get; init; }

    /// <summary>The creation time (default: now). Fix it for reproducible imports.</summary>
    public DateTime? Created { get; init; }

    /// <summary>The image platform (default: this machine's).</summary>
    public Platform? Platform { get; init; }

    /// <summary>The container config (default: empty, as docker import without --change).</summary>
    public ContainerConfig? Config { get; init; }

    /// <summary>How the layer is stored (default gzip).</summary>
    public LayerCompression Compression { get; init; } = LayerCompression.Gzip;
}
