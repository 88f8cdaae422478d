namespace Ashlar.Images.Layers;

/// <summary>How <see cref="LayerTarWriter.AddTreeAsync"/> turns a directory into entries.</summary>
public sealed record LayerTreeOptions
{
    /// <summary>When set, every entry gets this mtime (SOURCE_DATE_EPOCH-style reproducible layers).</summary>
    public DateTimeOffset? FixedModificationTime { get; init; }

    /// <summary>When set, every entry gets this owner (COPY --chown).</summary>
    public int? Uid { get; init; }

    /// <summary>When set, every entry gets this group (COPY --chown).</summary>
    public int? Gid { get; init; }

    /// <summary>Read xattrs from the files (default true).</summary>
    public bool IncludeXattrs { get; init; } = true;

    /// <summary>
    /// Translate overlayfs upper-dir whiteouts (0/0 char devices, trusted.overlay.opaque) into OCI whiteouts, for
    /// turning a container's upper dir into a layer (default false).
    /// </summary>
    public bool OverlayWhiteouts { get; init; }

    /// <summary>Entries to leave out, by path relative to the tree.</summary>
    public Func<string, bool>? Exclude { get; init; }
}
