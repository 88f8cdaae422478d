namespace Ashlar.Images.Layers;

/// <summary>What the unpacker does with OCI whiteouts (<c>.wh.name</c>, <c>.wh..wh..opq</c>).</summary>
public enum WhiteoutMode
{
    /// <summary>Delete what they hide, in place: for flattening layers into one directory.</summary>
    Apply,

    /// <summary>
    /// Write them the way overlayfs reads them: a 0/0 character device for <c>.wh.name</c> and the xattr
    /// <c>trusted.overlay.opaque=y</c> on an opaque directory. For a per-layer snapshot used as an overlay lower dir.
    /// </summary>
    Overlay,

    /// <summary>
    /// Not whiteouts at all: <c>.wh.</c> names are ordinary files. For a user's archive that ADD extracts, which is
    /// not a layer (docker's Untar writes such entries as they are).
    /// </summary>
    Keep,
}
