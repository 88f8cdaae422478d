using System.Formats.Tar;
using System.IO.Compression;
using Ashlar.Executor.Diff;

namespace Ashlar.Executor.Tests.Support;

/// <summary>Writes a layer for an upper dir and reads it back with System.Formats.Tar.</summary>
internal static class LayerEntries
{
    public static async Task<(LayerDiffResult Result, List<TarEntry> Entries, byte[] Gzip)> ReadAsync(string upperDirectory)
    {
        using var output = new MemoryStream();
        var result = await LayerDiff.WriteAsync(upperDirectory, output);
        var gzip = output.ToArray();
        var entries = new List<TarEntry>();
        using var tar = new TarReader(new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress));
        while (await tar.GetNextEntryAsync(copyData: true) is { } entry)
            entries.Add(entry);
        return (result, entries, gzip);
    }
}
