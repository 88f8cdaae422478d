using Ashlar.Images.Native;

namespace Ashlar.Images.Layers;

/// <summary>How <see cref="LayerUnpacker"/> writes a layer.</summary>
public sealed record UnpackOptions
{
    /// <summary>Whiteout handling (default: apply them).</summary>
    public WhiteoutMode Whiteouts { get; init; } = WhiteoutMode.Apply;

    /// <summary>Set uid/gid from the tar (default: when running as root; otherwise files belong to the caller).</summary>
    public bool PreserveOwnership { get; init; } = LibC.GetEuid() == 0;

    /// <summary>
    /// The directories of the layers below this one, topmost first, when each layer is unpacked into a directory of
    /// its own (overlay lower dirs). A hard link to a file of a lower layer, which OCI layers may contain, is then
    /// resolved there and the file copied in.
    /// </summary>
    public IReadOnlyList<string>? LowerDirectories { get; init; }

    /// <summary>Keep going when an xattr cannot be set because the filesystem or privileges do not allow it (default true).</summary>
    public bool IgnoreUnsupportedXattrs { get; init; } = true;
}
