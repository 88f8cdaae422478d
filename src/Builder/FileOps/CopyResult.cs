namespace Ashlar.Builder.FileOps;

/// <summary>What a copy wrote.</summary>
/// <param name="Entries">Entries written (files, directories, symlinks; an extracted archive counts its tar entries).</param>
/// <param name="Destination">The destination inside the rootfs, absolute ("/app/").</param>
public sealed record CopyResult(long Entries, string Destination);
