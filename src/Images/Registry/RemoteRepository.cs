using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Ashlar.Images.Content;
using Ashlar.Images.Registry.Auth;
using Ashlar.Images.Registry.Transfer;

namespace Ashlar.Images.Registry;

/// <summary>How a blob reached the registry in a push.</summary>
internal enum BlobPushOutcome { AlreadyPresent, Mounted, Uploaded }

/// <summary>
/// The distribution API of one repository on one registry
/// (<see href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md">OCI distribution spec</see>):
/// manifests by tag or digest, blobs streamed into a content store, and uploads. Every call authenticates as the
/// registry asks and retries transient failures; errors come back as <see cref="RegistryException"/> naming the
/// reference and what the user can do.
/// </summary>
internal sealed class RemoteRepository
{
    /// <summary>A manifest larger than this is refused rather than read into memory (the spec's suggested limit).</summary>
    const long MaxManifestSize = 4 << 20;

    readonly HttpClient http;
    readonly RegistryAuthenticator authenticator;
    readonly RetryPolicy retry;
    readonly RegistryEndpoint endpoint;
    readonly string[] scopes;
    readonly TimeSpan stallTimeout;

    public RemoteRepository(HttpClient http, RegistryAuthenticator authenticator, RetryPolicy retry, RegistryEndpoint endpoint, string name, bool forPush,
        TimeSpan? stallTimeout = null)
    {
        this.stallTimeout = stallTimeout ?? TimeSpan.FromSeconds(60);
        this.http = http;
        this.authenticator = authenticator;
        this.retry = retry;
        this.endpoint = endpoint;
        Name = name;
        scopes = [$"repository:{name}:{(forPush ? "pull,push" : "pull")}"];
    }

    public string Host => endpoint.Host;
    public string Name { get; }

    /// <summary><c>host/name</c>, as messages show the repository.</summary>
    public override string ToString() => $"{Host}/{Name}";

    // ---- manifests -------------------------------------------------------------------------------------------

    /// <summary>Fetches a manifest or index by tag or digest; a digest reference is checked against the bytes.</summary>
    public async Task<ManifestContent> GetManifestAsync(string reference, CancellationToken cancellationToken)
    {
        var display = Display(reference);
        using var response = await SendAsync(() => ManifestRequest(HttpMethod.Get, reference), scopes, retryTransient: true,
            HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
            throw new RegistryException($"manifest unknown: {reference} not found in {this}", "MANIFEST_UNKNOWN", response.StatusCode);
        if (!response.IsSuccessStatusCode)
            throw await FailureAsync(response, $"fetching the manifest of {display}", cancellationToken).ConfigureAwait(false);

        if (response.Content.Headers.ContentLength > MaxManifestSize)
            throw new RegistryException($"the manifest of {display} is {response.Content.Headers.ContentLength} bytes, over the {MaxManifestSize} byte limit", "MANIFEST_INVALID");
        var bytes = await ReadCappedAsync(response.Content, MaxManifestSize, display, cancellationToken).ConfigureAwait(false);
        var manifest = ManifestContent.Parse(bytes, response.Content.Headers.ContentType?.MediaType, display);

        // A digest reference pins the content; a tag's Docker-Content-Digest header, when sent, must agree too.
        if (Digest.TryParse(reference, out var pinned) && pinned.Algorithm == "sha256" && pinned != manifest.Digest)
            throw new RegistryException($"the manifest served for {display} hashes to {manifest.Digest}; it was refused", "DIGEST_INVALID");
        if (Digest.TryParse(HeaderDigest(response), out var announced) && announced.Algorithm == "sha256" && announced != manifest.Digest)
            throw new RegistryException($"the manifest served for {display} hashes to {manifest.Digest}, not the {announced} the registry announced; it was refused", "DIGEST_INVALID");
        return manifest;
    }

    /// <summary>The digest, media type and size a tag or digest resolves to, or null when the registry has no such manifest.</summary>
    public async Task<ContentDescriptor?> HeadManifestAsync(string reference, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => ManifestRequest(HttpMethod.Head, reference), scopes, retryTransient: true,
            HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        if (!response.IsSuccessStatusCode)
            throw await FailureAsync(response, $"looking up {Display(reference)}", cancellationToken).ConfigureAwait(false);
        if (!Digest.TryParse(HeaderDigest(response), out var digest))
        {
            if (!Digest.TryParse(reference, out digest))
                throw new RegistryException($"{this} did not say which digest {Display(reference)} has (no Docker-Content-Digest header)");
        }
        return new ContentDescriptor(response.Content.Headers.ContentType?.MediaType ?? "", digest, response.Content.Headers.ContentLength ?? -1);
    }

    /// <summary>Stores a manifest under a tag or its digest; returns the digest of the bytes sent.</summary>
    public async Task<Digest> PutManifestAsync(string reference, byte[] bytes, string mediaType, CancellationToken cancellationToken)
    {
        var digest = Digest.Sha256(bytes);
        using var response = await SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Put, endpoint.V2($"{Name}/manifests/{reference}")) { Content = new ByteArrayContent(bytes) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            return request;
        }, scopes, retryTransient: true, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw await FailureAsync(response, $"pushing the manifest {Display(reference)}", cancellationToken).ConfigureAwait(false);
        if (Digest.TryParse(HeaderDigest(response), out var stored) && stored != digest)
            throw new RegistryException($"{this} stored the manifest {Display(reference)} as {stored}, but its bytes hash to {digest}", "DIGEST_INVALID");
        return digest;
    }

    HttpRequestMessage ManifestRequest(HttpMethod method, string reference)
    {
        var request = new HttpRequestMessage(method, endpoint.V2($"{Name}/manifests/{reference}"));
        foreach (var mediaType in DistributionMediaTypes.Accepted)
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(mediaType));
        return request;
    }

    // ---- blobs -----------------------------------------------------------------------------------------------

    /// <summary>Whether the repository holds the blob (HEAD).</summary>
    public async Task<bool> BlobExistsAsync(Digest digest, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Head, endpoint.V2($"{Name}/blobs/{digest}")),
            scopes, retryTransient: true, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return false;
        if (!response.IsSuccessStatusCode)
            throw await FailureAsync(response, $"checking for blob {digest}", cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Streams a blob straight into the store, which verifies it against its digest and size: a blob that does not
    /// match is refused and nothing is stored. A dropped connection starts the download again (bounded).
    /// </summary>
    public async Task FetchBlobAsync(ContentDescriptor blob, IContentStore store, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, endpoint.V2($"{Name}/blobs/{blob.Digest}")),
                    scopes, retryTransient: true, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.NotFound)
                    throw new RegistryException($"blob unknown: {blob.Digest} not found in {this}", "BLOB_UNKNOWN", response.StatusCode);
                if (!response.IsSuccessStatusCode)
                    throw await FailureAsync(response, $"fetching blob {blob.Digest}", cancellationToken).ConfigureAwait(false);
                if (response.Content.Headers.ContentLength is { } length && length != blob.Size)
                    throw new RegistryException($"blob {blob.Digest} from {this} is {length} bytes, but the manifest says {blob.Size}; it was refused, nothing was stored", "SIZE_INVALID");

                await using var body = new ResumingDownloadStream(
                    await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), blob.Size,
                    (offset, token) => OpenBlobAtAsync(blob, offset, token), retry, stallTimeout);
                await store.WriteAsync(body, blob.Digest, blob.Size, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (DigestMismatchException e)
            {
                throw new RegistryException($"blob {blob.Digest} from {this} does not match its digest (it hashes to {e.Actual}); it was refused, nothing was stored", "DIGEST_INVALID", inner: e);
            }
            catch (Exception e) when (e is not RegistryException && attempt < retry.MaxRetries && RetryPolicy.IsTransient(e, cancellationToken))
            {
                await retry.DelayAsync(attempt, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The rest of a blob from <paramref name="offset"/>, for a download whose connection broke. A registry that
    /// ignores the Range header sends the whole blob again; then the part already received is skipped.
    /// </summary>
    async Task<Stream> OpenBlobAtAsync(ContentDescriptor blob, long offset, CancellationToken cancellationToken)
    {
        var response = await SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, endpoint.V2($"{Name}/blobs/{blob.Digest}"));
            request.Headers.Range = new RangeHeaderValue(offset, null);
            return request;
        }, scopes, retryTransient: true, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        try
        {
            if (!response.IsSuccessStatusCode)
                throw await FailureAsync(response, $"resuming blob {blob.Digest} at byte {offset}", cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.PartialContent)
            {
                if (response.Content.Headers.ContentRange?.From != offset)
                    throw new RegistryException($"{this} resumed blob {blob.Digest} at the wrong offset ({response.Content.Headers.ContentRange}, wanted {offset})");
                return new ResponseStream(response, body);
            }
            await SkipAsync(body, offset, cancellationToken).ConfigureAwait(false);
            return new ResponseStream(response, body);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    static async Task SkipAsync(Stream body, long count, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        while (count > 0)
        {
            var read = await body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), cancellationToken).ConfigureAwait(false);
            if (read == 0) throw new EndOfStreamException("the blob ended before the offset to resume at");
            count -= read;
        }
    }

    /// <summary>
    /// Pushes a blob unless the repository has it: first a cross-repository mount from <paramref name="mountFrom"/>
    /// (a repository on the same registry known to hold it), else an upload, in one PUT when
    /// <paramref name="chunkSize"/> is null or in PATCH chunks of that size. <paramref name="open"/> is called for
    /// each attempt and must return the blob's content from its start.
    /// </summary>
    public async Task<BlobPushOutcome> PushBlobAsync(ContentDescriptor blob, Func<Stream> open, string? mountFrom, long? chunkSize, CancellationToken cancellationToken)
    {
        if (await BlobExistsAsync(blob.Digest, cancellationToken).ConfigureAwait(false))
            return BlobPushOutcome.AlreadyPresent;

        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var (mounted, location) = await StartUploadAsync(blob.Digest, mountFrom, cancellationToken).ConfigureAwait(false);
                if (mounted) return BlobPushOutcome.Mounted;
                if (chunkSize is { } size)
                    location = await PatchChunksAsync(location, blob, open, Math.Max(size, 1), cancellationToken).ConfigureAwait(false);
                await CompleteUploadAsync(location, blob, chunkSize is null ? open : null, cancellationToken).ConfigureAwait(false);
                return BlobPushOutcome.Uploaded;
            }
            catch (Exception e) when (attempt < retry.MaxRetries && RetryPolicy.IsTransientFailure(e, cancellationToken))
            {
                // A whole upload is restarted rather than resumed: a failed PATCH leaves the session's offset unknown.
                await retry.DelayAsync(attempt, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// A cross-repository mount of <paramref name="digest"/> from <paramref name="from"/> only: true when the registry
    /// mounted it; false when it would not (the upload session it opened instead is cancelled).
    /// </summary>
    public async Task<bool> TryMountAsync(Digest digest, string from, CancellationToken cancellationToken)
    {
        try
        {
            var (mounted, location) = await StartUploadAsync(digest, from, cancellationToken).ConfigureAwait(false);
            if (mounted) return true;
            try
            {
                using var _ = await SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, location), scopes, retryTransient: false,
                    HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RegistryException or HttpRequestException) { } // the registry expires it anyway
            return false;
        }
        catch (RegistryException)
        {
            return false;
        }
    }

    /// <summary>POST: a mount (201, done) or a new upload session (202 with its Location).</summary>
    async Task<(bool Mounted, Uri Location)> StartUploadAsync(Digest digest, string? mountFrom, CancellationToken cancellationToken)
    {
        var uri = endpoint.V2($"{Name}/blobs/uploads/");
        var requestScopes = scopes;
        if (mountFrom is not null && mountFrom != Name)
        {
            uri = new Uri($"{uri}?mount={Uri.EscapeDataString(digest.ToString())}&from={Uri.EscapeDataString(mountFrom)}");
            requestScopes = [.. scopes, $"repository:{mountFrom}:pull"];
        }
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent([]) },
            requestScopes, retryTransient: false, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Created) return (true, uri);
        if (response.StatusCode != HttpStatusCode.Accepted)
            throw await FailureAsync(response, $"starting the upload of blob {digest}", cancellationToken).ConfigureAwait(false);
        return (false, UploadLocation(response, uri));
    }

    async Task<Uri> PatchChunksAsync(Uri location, ContentDescriptor blob, Func<Stream> open, long chunkSize, CancellationToken cancellationToken)
    {
        for (long offset = 0; offset < blob.Size; offset += chunkSize)
        {
            var length = Math.Min(chunkSize, blob.Size - offset);
            var start = offset;
            var target = location;
            using var response = await SendAsync(() =>
            {
                var request = new HttpRequestMessage(HttpMethod.Patch, target) { Content = new StreamSliceContent(open, start, length) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                // The spec's Content-Range for chunks is "<start>-<end>", inclusive, without a unit.
                request.Content.Headers.TryAddWithoutValidation("Content-Range", $"{start}-{start + length - 1}");
                return request;
            }, scopes, retryTransient: false, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.Accepted)
                throw await FailureAsync(response, $"uploading a chunk of blob {blob.Digest} (bytes {start}-{start + length - 1})", cancellationToken).ConfigureAwait(false);
            location = UploadLocation(response, target);
        }
        return location;
    }

    /// <summary>PUT ?digest=: closes the session, with the whole blob as the body for a monolithic upload.</summary>
    async Task CompleteUploadAsync(Uri location, ContentDescriptor blob, Func<Stream>? open, CancellationToken cancellationToken)
    {
        var separator = string.IsNullOrEmpty(location.Query) ? "?" : "&";
        var uri = new Uri($"{location}{separator}digest={Uri.EscapeDataString(blob.Digest.ToString())}");
        using var response = await SendAsync(() =>
        {
            HttpContent content = open is null ? new ByteArrayContent([]) : new StreamSliceContent(open, 0, blob.Size);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            return new HttpRequestMessage(HttpMethod.Put, uri) { Content = content };
        }, scopes, retryTransient: false, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.NoContent or HttpStatusCode.OK))
            throw await FailureAsync(response, $"uploading blob {blob.Digest}", cancellationToken).ConfigureAwait(false);
    }

    Uri UploadLocation(HttpResponseMessage response, Uri requestUri) =>
        response.Headers.Location is { } location
            ? location.IsAbsoluteUri ? location : new Uri(requestUri, location)
            : throw new RegistryException($"{this} started an upload but sent no Location for it");

    // ---- the registry itself ---------------------------------------------------------------------------------

    /// <summary>GET /v2/: whether the host speaks the registry API, authenticating as it asks.</summary>
    public async Task PingAsync(CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, endpoint.V2("")), [], retryTransient: true,
            HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
            throw new RegistryException($"{Host} does not serve the registry API (GET {endpoint.V2("")} answered 404)", statusCode: response.StatusCode);
        if (!response.IsSuccessStatusCode)
            throw await FailureAsync(response, "logging in", cancellationToken).ConfigureAwait(false);
    }

    // ---- transport -------------------------------------------------------------------------------------------

    /// <summary>
    /// Sends a request made by <paramref name="create"/> (called again for every try), answering one 401 challenge
    /// and, when <paramref name="retryTransient"/>, retrying 5xx answers and dropped connections with backoff.
    /// </summary>
    async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> create, IReadOnlyList<string> requestScopes, bool retryTransient,
        HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        var challenged = false;
        for (var attempt = 0; ;)
        {
            using var request = create();
            await authenticator.AuthorizeAsync(request, Host, requestScopes, cancellationToken).ConfigureAwait(false);
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (retryTransient && attempt < retry.MaxRetries && RetryPolicy.IsTransient(e, cancellationToken))
            {
                await retry.DelayAsync(attempt++, cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (HttpRequestException e) when (e.StatusCode is null)
            {
                var cause = e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message;
                throw new RegistryException($"cannot reach {Host} ({endpoint.BaseUri}): {cause}", inner: e);
            }

            if (response.StatusCode == HttpStatusCode.Unauthorized && !challenged)
            {
                challenged = true;
                if (authenticator.OnUnauthorized(response, Host, requestScopes))
                {
                    response.Dispose();
                    continue;
                }
            }
            if (retryTransient && RetryPolicy.IsTransient(response.StatusCode) && attempt < retry.MaxRetries)
            {
                response.Dispose();
                await retry.DelayAsync(attempt++, cancellationToken).ConfigureAwait(false);
                continue;
            }
            return response;
        }
    }

    /// <summary>The error for a failed answer, with what the user can do about it.</summary>
    async Task<RegistryException> FailureAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        var (code, detail) = await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
        var said = detail is null ? "" : $" ({detail})";
        switch (response.StatusCode)
        {
            case HttpStatusCode.Unauthorized:
                var problem = authenticator.CredentialProblem(Host);
                var message = authenticator.HasCredentials(Host)
                    ? $"unauthorized: {Host} refused the stored credentials for {Name} while {what}{said}; run 'ashlar login {Host}'"
                    : $"unauthorized: {Host} wants credentials for {Name} while {what}{said}; run 'ashlar login {Host}'";
                return new RegistryException(problem is null ? message : $"{message}. {problem}", code ?? "UNAUTHORIZED", response.StatusCode);
            case HttpStatusCode.Forbidden:
                return new RegistryException($"denied: {Host} refused {what}{said}; check that the account may access {this}, or run 'ashlar login {Host}'",
                    code ?? "DENIED", response.StatusCode);
            case HttpStatusCode.NotFound:
                return new RegistryException($"{(code ?? "NAME_UNKNOWN").ToLowerInvariant().Replace('_', ' ')}: {what}: {this} not found{said}", code ?? "NAME_UNKNOWN", response.StatusCode);
            case HttpStatusCode.TooManyRequests:
                return new RegistryException($"toomanyrequests: {Host} is rate limiting {what}{said}; try again later", code ?? "TOOMANYREQUESTS", response.StatusCode);
            default:
                return new RegistryException($"{what} failed: {Host} answered {(int)response.StatusCode} {response.ReasonPhrase}{said}", code, response.StatusCode);
        }
    }

    static async Task<(string? Code, string? Detail)> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            if (response.Content.Headers.ContentLength is 0 or > 64 * 1024) return (null, null);
            var body = await response.Content.ReadFromJsonAsync(RegistryJsonContext.Default.ErrorResponse, cancellationToken).ConfigureAwait(false);
            var first = body?.Errors?.FirstOrDefault();
            if (first is null) return (null, null);
            var detail = string.Join("; ", body!.Errors!.Select(e => string.IsNullOrEmpty(e.Message) ? e.Code : $"{e.Code}: {e.Message}"));
            return (first.Code, detail);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or NotSupportedException or InvalidOperationException or IOException or HttpRequestException)
        {
            return (null, null);
        }
    }

    static async Task<byte[]> ReadCappedAsync(HttpContent content, long cap, string display, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > cap)
                throw new RegistryException($"the manifest of {display} is over the {cap} byte limit", "MANIFEST_INVALID");
        }
        return buffer.ToArray();
    }

    static string? HeaderDigest(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.FirstOrDefault() : null;

    string Display(string reference) => Digest.TryParse(reference, out _) ? $"{this}@{reference}" : $"{this}:{reference}";
}
