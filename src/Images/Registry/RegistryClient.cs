using System.Net;
using Ashlar.Images.Content;
using Ashlar.Images.Formats;
using Ashlar.Images.References;
using Ashlar.Images.Registry.Auth;
using Ashlar.Images.Registry.Transfer;
using Ashlar.Images.Store;

namespace Ashlar.Images.Registry;

/// <summary>
/// Pulls images from and pushes them to registries that speak the
/// <see href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md">OCI distribution API</see>
/// (Docker Hub, registry:2, ghcr.io, ...), moving blobs straight between the network and a content store.
/// One client is meant to live for a whole build: it pools connections and caches tokens. Thread-safe.
/// </summary>
/// <example>
/// <code>
/// using var registry = new RegistryClient(new RegistryClientOptions { InsecureRegistries = ["registry.lan:5000"] });
/// var store = ImageStore.Open();
/// await registry.PullAsync(ImageReference.Parse("busybox:1.36"), store, Platform.Parse("linux/amd64"));
/// await registry.PushAsync(store, "app:1", ImageReference.Parse("127.0.0.1:5000/team/app:1"));
/// </code>
/// Credentials come from docker's config.json unless <see cref="RegistryClientOptions.Credentials"/> says otherwise;
/// failures are <see cref="RegistryException"/>s whose message tells the user what to do.
/// </example>
public sealed class RegistryClient : IDisposable
{
    readonly RegistryClientOptions options;
    readonly HttpClient http;
    readonly RetryPolicy retry;
    readonly RegistryAuthenticator authenticator;

    /// <summary>A client with the given options (docker's config.json credentials when none are given).</summary>
    public RegistryClient(RegistryClientOptions? options = null)
    {
        this.options = options ?? new RegistryClientOptions();
        http = CreateHttpClient(this.options.MaxConcurrentTransfers);
        retry = new RetryPolicy(Math.Max(0, this.options.MaxRetries), this.options.RetryBaseDelay);
        authenticator = new RegistryAuthenticator(http, this.options.Credentials, retry);
    }

    /// <summary>
    /// Pulls <paramref name="reference"/> (a tag or a <c>sha256:</c> digest) of <paramref name="registry"/>/<paramref name="repository"/>
    /// into <paramref name="store"/>: the manifest for <paramref name="platform"/> (linux and this machine's architecture by
    /// default) and its config and layers, skipping blobs the store has. Tagging the result is the caller's.
    /// </summary>
    /// <param name="registry">The registry host, e.g. <c>docker.io</c> or <c>127.0.0.1:5000</c>.</param>
    /// <param name="repository">The repository path, e.g. <c>library/busybox</c>.</param>
    /// <param name="reference">A tag, or a digest such as <c>sha256:...</c>.</param>
    /// <param name="store">Where the blobs and manifests go; it verifies each against its digest.</param>
    /// <param name="platform">The platform to choose from an index; <see cref="Platform.Current"/> when null.</param>
    /// <param name="progress">Told about each blob as it is done.</param>
    /// <param name="cancellationToken">Stops the pull; nothing half-written becomes visible in the store.</param>
    /// <exception cref="RegistryException">The registry refused or failed, or served content that did not verify.</exception>
    public Task<PullResult> PullAsync(string registry, string repository, string reference, IContentStore store,
        Platform? platform = null, IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var puller = new ImagePuller(Repository(registry, repository, forPush: false), store, Math.Max(1, options.MaxConcurrentTransfers), progress);
        return puller.PullAsync(reference, platform ?? Platform.Current, platformAsked: platform is not null, cancellationToken);
    }

    /// <summary>
    /// Pushes the manifest (or index) <paramref name="manifest"/> and everything it refers to from
    /// <paramref name="store"/> to <paramref name="registry"/>/<paramref name="repository"/>, tagged <paramref name="tag"/>
    /// (by digest only when null). Blobs go first, the manifest last.
    /// </summary>
    /// <param name="store">Where the image is.</param>
    /// <param name="manifest">The digest of the manifest or index to push.</param>
    /// <param name="registry">The registry host.</param>
    /// <param name="repository">The repository path on it.</param>
    /// <param name="tag">The tag to push to, or null to push by digest only.</param>
    /// <param name="mountFrom">A repository on the same registry that may hold the blobs already (cross-repository mount).</param>
    /// <param name="progress">Told about each blob as it is done.</param>
    /// <param name="cancellationToken">Stops the push.</param>
    /// <exception cref="RegistryException">The registry refused or failed, or the store lacks part of the image.</exception>
    public Task<PushResult> PushAsync(IContentStore store, Digest manifest, string registry, string repository, string? tag,
        string? mountFrom = null, IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var pusher = new ImagePusher(Repository(registry, repository, forPush: true), store, Math.Max(1, options.MaxConcurrentTransfers),
            options.UploadChunkSize, mountFrom, progress);
        return pusher.PushAsync(manifest, tag, cancellationToken);
    }

    // An image store's push: its lazy layers are placed without their bytes when the destination has or can mount them.
    Task<PushResult> PushAsync(ImageStore store, Digest manifest, string registry, string repository, string? tag,
        string? mountFrom, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        var pusher = new ImagePusher(Repository(registry, repository, forPush: true), store.Content, Math.Max(1, options.MaxConcurrentTransfers),
            options.UploadChunkSize, mountFrom, progress) { Lazy = store.Lazy, Client = this };
        return pusher.PushAsync(manifest, tag, cancellationToken);
    }

    /// <summary>
    /// <c>ashlar pull</c>: pulls <paramref name="reference"/> into <paramref name="store"/> and tags it there. The tag
    /// points at what the reference names in the registry, as with docker's containerd store: for a multi-platform image
    /// the index (of which the store then holds the manifest, config and layers for <paramref name="platform"/>, this
    /// machine's by default), so a push back keeps the index digest; otherwise the manifest.
    /// </summary>
    /// <param name="reference">What to pull, e.g. <c>ImageReference.Parse("busybox")</c> or <c>127.0.0.1:5000/app@sha256:...</c>.</param>
    /// <param name="store">The image store that receives the blobs and the tag.</param>
    /// <param name="platform">The platform to choose from an index; <see cref="Platform.Current"/> when null.</param>
    /// <param name="progress">Told about each blob as it is done.</param>
    /// <param name="cancellationToken">Stops the pull; nothing half-written becomes visible in the store.</param>
    /// <exception cref="RegistryException">The registry refused or failed, or served content that did not verify.</exception>
    public async Task<PullResult> PullAsync(ImageReference reference, ImageStore store, Platform? platform = null,
        IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var result = await PullAsync(reference.Domain, reference.Path, reference.Digest?.ToString() ?? reference.Tag ?? ImageReference.DefaultTag,
            store.Content, platform, progress, cancellationToken).ConfigureAwait(false);
        var target = result.IndexMediaType is { } indexType
            ? Descriptor.For(indexType, result.Digest, store.Content.SizeOf(result.Digest)!.Value)
            : Descriptor.For(result.ManifestMediaType, result.ManifestDigest, store.Content.SizeOf(result.ManifestDigest)!.Value);
        await store.TagAsync(reference, target, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// <c>ashlar push</c>: pushes the image <paramref name="source"/> names in <paramref name="store"/> (a reference or an
    /// image id) to <paramref name="destination"/>. When the store knows the image under another repository of the same
    /// registry, its blobs are mounted from there instead of uploaded. A lazy layer (<see cref="Store.Lazy.LazyBlobs"/>) is
    /// not downloaded when the destination already has it or can mount it from the repository it is recorded in;
    /// otherwise it is fetched into the store first.
    /// </summary>
    /// <param name="store">The image store that holds the image.</param>
    /// <param name="source">The local image: a reference such as <c>app:1</c>, or an image id.</param>
    /// <param name="destination">Where to push, e.g. <c>127.0.0.1:5000/team/app:1</c>; without a tag the image is pushed by digest.</param>
    /// <param name="progress">Told about each blob as it is done.</param>
    /// <param name="cancellationToken">Stops the push.</param>
    /// <exception cref="RegistryException">The registry refused or failed, or the store lacks part of the image.</exception>
    /// <exception cref="ImageNotFoundException">The store has no image called <paramref name="source"/>.</exception>
    public async Task<PushResult> PushAsync(ImageStore store, string source, ImageReference destination,
        IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var image = await store.FindAsync(source, cancellationToken).ConfigureAwait(false);
        var known = await store.ReferencesToAsync(image.Digest, cancellationToken).ConfigureAwait(false);
        var mountFrom = known.FirstOrDefault(r => r.Domain == destination.Domain && r.Path != destination.Path)?.Path;
        return await PushAsync(store, image.Digest, destination.Domain, destination.Path, destination.Tag, mountFrom, progress, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// What <paramref name="reference"/> points at in its registry now, without downloading it (a manifest HEAD): the
    /// digest, media type and size of its manifest or index, or null when the registry has no such tag or digest.
    /// A build can compare it with the stored image to decide whether a pull is needed.
    /// </summary>
    /// <param name="reference">The remote image.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    /// <exception cref="RegistryException">The registry refused or failed.</exception>
    public async Task<Descriptor?> ResolveAsync(ImageReference reference, CancellationToken cancellationToken = default)
    {
        var repository = Repository(reference.Domain, reference.Path, forPush: false);
        var found = await repository.HeadManifestAsync(reference.Digest?.ToString() ?? reference.Tag ?? ImageReference.DefaultTag, cancellationToken)
            .ConfigureAwait(false);
        return found is null ? null : Descriptor.For(found.MediaType, found.Digest, found.Size);
    }

    /// <summary>
    /// Checks <paramref name="credentials"/> against <paramref name="registry"/> the way <c>docker login</c> does
    /// (GET /v2/, answering its challenge with them); throws <see cref="RegistryException"/> when they are refused.
    /// Storing them is the caller's (<see cref="DockerConfig.Save"/>).
    /// </summary>
    public async Task LoginAsync(string registry, RegistryCredentials credentials, CancellationToken cancellationToken = default)
    {
        var checking = new RegistryAuthenticator(http, new FixedCredentials(registry, credentials), retry);
        var endpoint = RegistryEndpoint.For(registry, options.InsecureRegistries);
        var repository = new RemoteRepository(http, checking, retry, endpoint, "", forPush: false);
        try
        {
            await repository.PingAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RegistryException e) when (e.StatusCode == HttpStatusCode.Unauthorized)
        {
            throw new RegistryException($"unauthorized: {registry} refused the credentials of \"{credentials.Username}\"", e.Code, e.StatusCode, e);
        }
    }

    internal RemoteRepository Repository(string registry, string repository, bool forPush) =>
        new(http, authenticator, retry, RegistryEndpoint.For(registry, options.InsecureRegistries), repository, forPush, options.StallTimeout);

    static HttpClient CreateHttpClient(int maxConcurrent)
    {
        var handler = new SocketsHttpHandler
        {
            // Pooled keep-alive connections, recycled now and then so DNS changes are seen.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            MaxConnectionsPerServer = Math.Max(4, maxConcurrent * 2),
            ConnectTimeout = TimeSpan.FromSeconds(30),
            AutomaticDecompression = DecompressionMethods.None,
            // Blob GETs may redirect to storage (S3, a CDN); the handler drops Authorization on the way.
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 10,
        };
        return new HttpClient(handler)
        {
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
            // Large layers take as long as they take; cancellation is the caller's token.
            Timeout = Timeout.InfiniteTimeSpan,
            DefaultRequestHeaders = { { "User-Agent", "ashlar" } },
        };
    }

    /// <inheritdoc />
    public void Dispose() => http.Dispose();

    sealed class FixedCredentials(string registry, RegistryCredentials credentials) : IRegistryCredentialSource
    {
        public RegistryCredentials? Find(string registryHost) =>
            DockerConfig.NormaliseHost(registryHost) == DockerConfig.NormaliseHost(registry) ? credentials : null;
    }
}
