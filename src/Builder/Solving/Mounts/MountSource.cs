using Ashlar.Builder.Context;
using Ashlar.Builder.FileOps;

namespace Ashlar.Builder.Solving.Mounts;

/// <summary>
/// A private copy of one path of a source tree, made with COPY's own machinery: for a bind mount of the build context
/// (so .dockerignore'd files are absent and files are 0:0, as BuildKit's transferred context is) and for seeding a new
/// cache mount from a stage (owners kept).
/// </summary>
internal static class MountSource
{
    /// <summary>
    /// Copies <paramref name="source"/> of <paramref name="tree"/> (a directory with its contents, or one file) to a
    /// new path under <paramref name="scratch"/> and returns that path. A source that is missing or excluded throws
    /// <see cref="SourceNotFoundException"/> saying so.
    /// </summary>
    public static async Task<string> CopyAsync(SourceTree tree, string source, string scratch, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateDirectory(Path.Combine(scratch, "mount-" + Guid.NewGuid().ToString("N"))).FullName;
        await CopyIntoAsync(tree, source, directory, "/content", cancellationToken);
        return Path.Combine(directory, "content");
    }

    /// <summary>Copies the contents of directory <paramref name="source"/> of <paramref name="tree"/> into the existing <paramref name="directory"/>.</summary>
    public static Task FillAsync(SourceTree tree, string source, string directory, CancellationToken cancellationToken) =>
        CopyIntoAsync(tree, source, directory, "/", cancellationToken);

    private static async Task CopyIntoAsync(SourceTree tree, string source, string directory, string destination, CancellationToken cancellationToken)
    {
        var spec = new CopySpec { Sources = [source.Length == 0 ? "/" : source], Destination = destination };
        await using var plan = await CopyOperation.PrepareAsync(spec, tree, null, cancellationToken);
        // Onto a plain directory: the same writes as a --link layer, with no stage to look names up in.
        await plan.ApplyToLayerAsync(directory, cancellationToken);
    }
}
