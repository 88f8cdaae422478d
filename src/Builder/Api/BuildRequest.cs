using Ashlar.Cache.Remote;
using Microsoft.Extensions.Caching.Distributed;

namespace Ashlar.Builder;

/// <summary>What to build: the inputs of one <c>docker build</c>.</summary>
public sealed record BuildRequest
{
    /// <summary>The build context directory (docker build's positional argument).</summary>
    public required string ContextDirectory { get; init; }

    /// <summary>The Dockerfile's text. When null, <see cref="DockerfilePath"/> is read.</summary>
    public string? DockerfileText { get; init; }

    /// <summary>The Dockerfile's path (default: <c>Dockerfile</c> in the context). Also the name used in error messages.</summary>
    public string? DockerfilePath { get; init; }

    /// <summary><c>--build-arg</c> values, overriding ARG defaults.</summary>
    public IReadOnlyDictionary<string, string> BuildArgs { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// What to do when <c># syntax=</c> (or the <c>BUILDKIT_SYNTAX</c> build arg) names a frontend image other than the
    /// official <c>docker/dockerfile:1.x</c>, which Ashlar implements itself: false fails the build, true builds with the
    /// built-in frontend and warns. Null: true when the environment sets <c>ASHLAR_IGNORE_SYNTAX=1</c>.
    /// </summary>
    public bool? IgnoreForeignSyntax { get; init; }

    /// <summary><c>--target</c>: the stage to build (default: the last one).</summary>
    public string? Target { get; init; }

    /// <summary><c>-t</c>: names to give the image in the store.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary><c>--output</c>: where the result goes. Empty means the local image store.</summary>
    public IReadOnlyList<BuildOutput> Outputs { get; init; } = [];

    /// <summary><c>--push</c>: push every tag to its registry after the build.</summary>
    public bool Push { get; init; }

    /// <summary>Registries reached over plain HTTP when pushing or pulling (loopback hosts always are).</summary>
    public IReadOnlyList<string> InsecureRegistries { get; init; } = [];

    /// <summary><c>--secret</c>: secrets that <c>RUN --mount=type=secret</c> may use.</summary>
    public IReadOnlyList<BuildSecret> Secrets { get; init; } = [];

    /// <summary>SSH agents for <c>RUN --mount=type=ssh</c> (<c>--ssh</c>), by id.</summary>
    public IReadOnlyList<BuildSsh> Ssh { get; init; } = [];

    /// <summary><c>--label</c>: labels added to the final image.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// <c>--allow</c>: the entitlements granted to the build (<c>security.insecure</c> lets <c>RUN --security=insecure</c>
    /// run with every capability, no seccomp filter and every device; <c>network.host</c> is always granted).
    /// </summary>
    public IReadOnlyList<string> Entitlements { get; init; } = [];

    /// <summary><c>--network</c> for RUN steps that do not set their own.</summary>
    public BuildNetwork Network { get; init; } = BuildNetwork.Default;

    /// <summary><c>--platform</c> (os/arch[/variant]); default this machine's. Only this machine's platform can run RUN steps.</summary>
    public string? Platform { get; init; }

    /// <summary><c>--no-cache</c>: every step runs (its result is still recorded for later builds).</summary>
    public bool NoCache { get; init; }

    /// <summary><c>--no-cache-filter</c>: the stages (by name or index) whose steps run regardless of the cache.</summary>
    public IReadOnlyList<string> NoCacheFilter { get; init; } = [];

    /// <summary>
    /// A key file shared by the runners of a fleet (at least 32 bytes, e.g. <c>openssl rand -hex 32</c>): steps that
    /// use secrets are keyed by an HMAC of the secret with it, so runners holding the same file hit each other's
    /// results. Null: <c>$ASHLAR_CACHE_SECRET_KEY_FILE</c>, else the store's own random key (no sharing). The key is
    /// never written into a store, an index or an exported cache.
    /// </summary>
    public string? CacheSecretKeyFile { get; init; }

    /// <summary>The layer cache's index; null means the store's embedded one (<c>&lt;store root&gt;/cache/index</c>).</summary>
    public IDistributedCache? CacheIndex { get; init; }

    /// <summary>
    /// Where a cache hit's layer blob comes from when the store lacks it, tried in order. A blob is fetched only
    /// when it is really needed (a later step misses and needs its files, or an output writes it).
    /// </summary>
    public IReadOnlyList<ILayerSource> LayerSources { get; init; } = [];

    /// <summary><c>--explain-cache</c>: explain every miss (always done for progress) and report each step's hit or miss.</summary>
    public bool ExplainCache { get; init; }

    /// <summary><c>--pull</c>: fetch base images again even when the store has them.</summary>
    public bool Pull { get; init; }

    /// <summary>How many stages may run at once (default: the core count).</summary>
    public int Jobs { get; init; } = Environment.ProcessorCount;

    /// <summary><c>--memory</c> limit for each RUN step, in bytes.</summary>
    public long? MemoryBytes { get; init; }

    /// <summary>The image store's directory (default: <c>$ASHLAR_ROOT</c>, else the system default).</summary>
    public string? StoreRoot { get; init; }

    /// <summary>Clamps every timestamp of the image (config, history, layer entries) to this time (<c>SOURCE_DATE_EPOCH</c>).</summary>
    public DateTimeOffset? SourceDateEpoch { get; init; }
}
