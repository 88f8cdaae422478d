using Ashlar.Parser.Instructions;

namespace Ashlar.Builder.Graph;

/// <summary>A <c>RUN --mount</c> after expansion. <see cref="Source"/> is the op whose result is bound (bind mounts); <see cref="From"/> the --from it came from.</summary>
internal sealed record ExecMount(
    MountType Type,
    string Target,
    Op? Source,
    string? SourcePath,
    bool ReadOnly,
    string? Id,
    CacheSharing Sharing,
    int? Mode,
    int? Uid,
    int? Gid,
    long? SizeLimit,
    string? Env,
    bool Required,
    string? From);
