namespace Ashlar.Tests.Shared;

/// <summary>
/// Asserts that no file under some directories (stores, an index, an exported cache) holds any of some byte strings:
/// a secret's bytes, a key file's text or its decoded bytes. Linked into the test projects that check it.
/// </summary>
internal static class SecretScan
{
    public static void AssertNowhere(IEnumerable<string> roots, IReadOnlyList<byte[]> needles)
    {
        var searched = 0;
        foreach (var root in roots)
            foreach (var file in Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
            {
                if (new FileInfo(file).LinkTarget is not null) continue;
                byte[] bytes;
                try { bytes = File.ReadAllBytes(file); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; } // device nodes (whiteouts)
                searched++;
                foreach (var needle in needles)
                    Xunit.Assert.True(bytes.AsSpan().IndexOf(needle) < 0, $"{file} holds the secret or a key");
            }
        Xunit.Assert.True(searched > 10, $"only {searched} files were searched");
    }
}
