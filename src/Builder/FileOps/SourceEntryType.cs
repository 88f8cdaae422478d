namespace Ashlar.Builder.FileOps;

/// <summary>What a selected source entry is.</summary>
public enum SourceEntryType
{
    /// <summary>A regular file.</summary>
    File,

    /// <summary>A directory.</summary>
    Directory,

    /// <summary>A symlink, copied as a symlink (its target is not followed).</summary>
    Symlink,

    /// <summary>A named pipe.</summary>
    Fifo,

    /// <summary>A character device node.</summary>
    CharacterDevice,

    /// <summary>A block device node.</summary>
    BlockDevice,
}
