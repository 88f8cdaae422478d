using System.Text;
using Ashlar.Builder.Context;
using Ashlar.Builder.FileOps;
using Ashlar.Builder.Graph;
using Ashlar.Cache.Keys;
using Ashlar.Parser.Instructions;

namespace Ashlar.Builder.Solving;

/// <summary>
/// The RUN part of a cache key beyond the op's definition (which already holds the command, env, user, workdir,
/// network and mount specs, cache-mount ids among them): what each mount brings in. A bind mount of the context by
/// the content of its source, one of a stage or image by that result's key, a secret by an HMAC of its id and content.
/// A cache mount's contents never reach the key, as in BuildKit.
/// </summary>
internal static class RunKeys
{
    public static async Task AddMountsAsync(CacheKeyBuilder key, IReadOnlyList<ExecMount> mounts, BuildSession session, StageRunner stage, CancellationToken cancellationToken)
    {
        var secrets = new HashSet<string>(StringComparer.Ordinal);
        var targets = new HashSet<string>(StringComparer.Ordinal);
        foreach (var mount in mounts)
        {
            switch (mount.Type)
            {
                case MountType.Bind when targets.Add(mount.Target):
                    if (mount.From is null)
                        key.Add(CacheInputKind.Mount, mount.Target, await ContextDigestAsync(session, mount.SourcePath, cancellationToken));
                    else
                        key.Add(CacheInputKind.Mount, mount.Target, (await stage.ResolveSourceAsync(mount.From, cancellationToken)).Key.Digest);
                    break;
                case MountType.Secret when mount.Id is { } id && secrets.Add(id):
                    if (ReadSecret(session.Request, id) is { } value)
                        key.AddSecret(id, Encoding.UTF8.GetBytes(value));
                    break;
            }
        }
    }

    /// <summary>A secret's value as RUN gets it (file or environment variable), or null when it is not given.</summary>
    public static string? ReadSecret(BuildRequest request, string id)
    {
        var secret = request.Secrets.FirstOrDefault(s => s.Id == id);
        if (secret is null) return null;
        return secret.SourceFile is { } file ? (File.Exists(file) ? File.ReadAllText(file) : null)
            : Environment.GetEnvironmentVariable(secret.EnvironmentVariable ?? secret.Id);
    }

    // The bind mount shows the context as BuildKit transfers it (.dockerignore applied, files 0:0), as COPY sees it;
    // its files' digests come from the same stat cache.
    private static async Task<Images.Content.Digest> ContextDigestAsync(BuildSession session, string? sourcePath, CancellationToken cancellationToken)
    {
        SourceTree tree = await session.ContextTreeAsync(cancellationToken);
        var spec = new CopySpec { Sources = [string.IsNullOrEmpty(sourcePath) ? "." : sourcePath], Destination = "/mount/" };
        try
        {
            await using var plan = await CopyOperation.PrepareAsync(spec, tree, null, cancellationToken);
            return await plan.ComputeSourceDigestAsync(cancellationToken);
        }
        catch (SourceNotFoundException)
        {
            return Images.Content.Digest.Sha256("ashlar:missing-mount-source"u8); // the step itself reports the missing source
        }
    }
}
