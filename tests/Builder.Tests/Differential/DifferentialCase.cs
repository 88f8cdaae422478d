using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using ICSharpCode.SharpZipLib.BZip2;

namespace Ashlar.Builder.Tests.Differential;

/// <summary>
/// A case of the differential suite: a folder under Differential/Cases with a Dockerfile and its context, read in
/// place from the checkout (so symlinks stay symlinks). A folder named <c>NAME.tar.d</c>, <c>NAME.tar.gz.d</c>,
/// <c>NAME.tar.bz2.d</c> or <c>NAME.tar.xz.d</c> becomes that archive in the prepared context (for ADD).
/// </summary>
internal static class DifferentialCase
{
    /// <summary>Every context's files and folders get this time, so both engines see the same, old, inputs.</summary>
    public static readonly DateTime ContextTime = new(2021, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>A case's hand-checked result, for cases no BuildKit here can build (see <see cref="KnownDivergences.NotBuildableByDockerd"/>).</summary>
    public const string ExpectedFile = "expected.txt";

    public static string CasesDirectory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Builder.sln")))
                    return Path.Combine(dir.FullName, "tests", "Builder.Tests", "Differential", "Cases");
            throw new InvalidOperationException("Builder.sln not found above " + AppContext.BaseDirectory);
        }
    }

    public static IEnumerable<string> Names() =>
        Directory.EnumerateDirectories(CasesDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal)!;

    /// <summary>Copies case <paramref name="name"/> into <paramref name="target"/>: modes 0644/0755, times <see cref="ContextTime"/>, archives packed.</summary>
    public static async Task PrepareAsync(string name, string target)
    {
        await CopyAsync(Path.Combine(CasesDirectory, name), target);
        File.Delete(Path.Combine(target, ExpectedFile)); // the test's, not the build's
        foreach (var path in Directory.EnumerateFileSystemEntries(target, "*", SearchOption.AllDirectories).Append(target))
            if (new FileInfo(path).LinkTarget is null)
                File.SetLastWriteTimeUtc(path, ContextTime);
    }

    private static async Task CopyAsync(string source, string target)
    {
        Directory.CreateDirectory(target);
        File.SetUnixFileMode(target, (UnixFileMode)Convert.ToInt32("755", 8));
        foreach (var entry in new DirectoryInfo(source).EnumerateFileSystemInfos())
        {
            var destination = Path.Combine(target, entry.Name);
            if (entry.LinkTarget is { } link)
                File.CreateSymbolicLink(destination, link);
            else if (entry is DirectoryInfo && ArchiveKind(entry.Name) is { } kind)
                await PackAsync(entry.FullName, destination[..^2], kind);
            else if (entry is DirectoryInfo)
                await CopyAsync(entry.FullName, destination);
            else
            {
                File.Copy(entry.FullName, destination);
                var executable = (File.GetUnixFileMode(entry.FullName) & UnixFileMode.UserExecute) != 0;
                File.SetUnixFileMode(destination, (UnixFileMode)Convert.ToInt32(executable ? "755" : "644", 8));
            }
        }
    }

    private static string? ArchiveKind(string name) =>
        new[] { "tar.gz", "tar.bz2", "tar.xz", "tar" }.FirstOrDefault(k => name.EndsWith("." + k + ".d", StringComparison.Ordinal));

    // The archive's members get fixed modes, owner and times, so the case does not depend on the checkout.
    private static async Task PackAsync(string directory, string archive, string kind)
    {
        var staged = archive + ".staged";
        await CopyAsync(directory, staged);
        foreach (var path in Directory.EnumerateFileSystemEntries(staged, "*", SearchOption.AllDirectories))
            if (new FileInfo(path).LinkTarget is null) File.SetLastWriteTimeUtc(path, ContextTime);
        var plain = archive + ".plain";
        await TarFile.CreateFromDirectoryAsync(staged, plain, includeBaseDirectory: false);
        Directory.Delete(staged, recursive: true);
        switch (kind)
        {
            case "tar":
                File.Move(plain, archive);
                return;
            case "tar.gz":
                await using (var input = File.OpenRead(plain))
                await using (var output = new GZipStream(File.Create(archive), CompressionLevel.Optimal))
                    await input.CopyToAsync(output);
                break;
            case "tar.bz2":
                await using (var input = File.OpenRead(plain))
                await using (var output = new BZip2OutputStream(File.Create(archive)))
                    await input.CopyToAsync(output);
                break;
            case "tar.xz":
                // No managed xz writer at hand: the xz tool (xz-utils, installed by .ci/install-deps) compresses it.
                using (var xz = Process.Start(new ProcessStartInfo("xz", ["-z", "-c", "-T1", plain]) { RedirectStandardOutput = true })!)
                {
                    await using (var output = File.Create(archive))
                        await xz.StandardOutput.BaseStream.CopyToAsync(output);
                    await xz.WaitForExitAsync();
                    if (xz.ExitCode != 0) throw new InvalidOperationException($"xz failed ({xz.ExitCode}) on {plain}");
                }
                break;
        }
        File.Delete(plain);
        File.SetUnixFileMode(archive, (UnixFileMode)Convert.ToInt32("644", 8));
    }
}
