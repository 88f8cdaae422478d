namespace Ashlar.Builder.FileOps;

/// <summary>How one selected source lands at the destination.</summary>
internal enum CopyItemKind
{
    /// <summary>A directory: its contents go into the destination directory (Entries[0] is the directory itself, target "").</summary>
    DirectoryContents,

    /// <summary>One file, symlink or node: into the destination directory under its name, or onto the destination path.</summary>
    Single,

    /// <summary><c>--parents</c>: entries keep their path from the pivot; the destination is a directory.</summary>
    Parents,

    /// <summary>ADD of a local (or <c>--unpack</c>ed) tar archive: extracted into the destination directory.</summary>
    Archive,
}

/// <summary>One matched source of a COPY/ADD with every entry it writes, in the order they are written.</summary>
/// <param name="Source">The source as written (for messages).</param>
/// <param name="Kind">How it lands.</param>
/// <param name="Entries">What it writes; parents before children.</param>
internal sealed record CopyItem(string Source, CopyItemKind Kind, IReadOnlyList<SourceEntry> Entries);
