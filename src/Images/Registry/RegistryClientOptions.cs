using Ashlar.Images.Registry.Auth;

namespace Ashlar.Images.Registry;

/// <summary>How a <see cref="RegistryClient"/> reaches registries.</summary>
public sealed record RegistryClientOptions
{
    /// <summary>Where credentials come from when a registry asks; docker's config.json by default, null for anonymous only.</summary>
    public IRegistryCredentialSource? Credentials { get; init; } = DockerConfig.Default();

    /// <summary>
    /// Hosts (<c>host</c> or <c>host:port</c>) reached over plain HTTP, like docker's <c>--insecure-registry</c>;
    /// loopback hosts always are. The environment variable <c>ASHLAR_INSECURE_REGISTRIES</c> (comma separated) adds more.
    /// </summary>
    public IReadOnlyCollection<string> InsecureRegistries { get; init; } = [];

    /// <summary>How many blobs move at once in a pull or push.</summary>
    public int MaxConcurrentTransfers { get; init; } = 4;

    /// <summary>Upload blobs in PATCH chunks of this many bytes; null uploads each blob in one PUT.</summary>
    public long? UploadChunkSize { get; init; }

    /// <summary>How many times a request that failed transiently (5xx, a dropped connection) is tried again.</summary>
    public int MaxRetries { get; init; } = 4;

    /// <summary>A blob download that receives nothing for this long counts as broken and is resumed (a retry).</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The first backoff delay; each retry doubles it (with jitter).</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(250);
}
