using System.Security.Cryptography;
using Ashlar.Images.Content;
using Ashlar.Images.Native;

namespace Ashlar.Builder.FileOps;

/// <summary>
/// An ADD source that is an http(s) URL: downloaded once into a scratch directory. Like BuildKit's http source the
/// file is named after the last segment of the URL path (<c>__unnamed__</c> when there is none), gets mode 0600 and
/// owner 0:0, takes the server's Last-Modified as mtime, and is checked against <c>--checksum</c> when given.
/// </summary>
internal static class UrlSource
{
    private static readonly Lazy<HttpClient> SharedClient = new(() => new HttpClient { Timeout = TimeSpan.FromMinutes(30) });

    public static bool IsUrl(string source) =>
        source.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || source.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    public static string FileNameOf(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return "__unnamed__";
        var path = Uri.UnescapeDataString(uri.AbsolutePath).TrimEnd('/');
        var name = path[(path.LastIndexOf('/') + 1)..];
        return name.Length == 0 || name is "." or ".." ? "__unnamed__" : name;
    }

    /// <summary>An <c>ADD --checksum</c> for a URL: <c>sha256:</c> and 64 hex digits, else a <see cref="FormatException"/>.</summary>
    public static Digest ParseChecksum(string checksum)
    {
        if (!Digest.TryParse(checksum, out var parsed))
            throw new FormatException($"ADD --checksum={checksum}: expected sha256:<64 hex digits>");
        if (parsed.Algorithm != "sha256") throw new FormatException($"ADD --checksum={checksum}: only sha256 is supported");
        return parsed;
    }

    /// <summary>The client ADD's requests go through when the caller gives none.</summary>
    public static HttpClient DefaultClient => SharedClient.Value;

    /// <summary>Downloads <paramref name="url"/> to <paramref name="directory"/>; returns the file, its mtime, ETag and content digest.</summary>
    public static async Task<UrlDownload> DownloadAsync(string url, string? checksum, string directory, HttpClient? client, CancellationToken cancellationToken)
    {
        Digest? expected = checksum is null ? null : ParseChecksum(checksum);

        using var response = await (client ?? SharedClient.Value).GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"ADD {url}: the server answered {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);

        var path = Path.Combine(directory, FileNameOf(url));
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using (var body = await response.Content.ReadAsStreamAsync(cancellationToken))
        await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
        {
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                sha.AppendData(buffer, 0, read);
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        var actual = Digest.FromHash(sha.GetHashAndReset());
        if (expected is { } want && want != actual)
            throw new InvalidDataException($"ADD {url}: checksum mismatch: --checksum is {want} but the download is {actual}");

        if (LibC.FchmodAt(LibC.AT_FDCWD, path, 0x180 /* 0600 */, 0) != 0) throw LibC.Failure($"chmod {path}");
        var lastModified = response.Content.Headers.LastModified;
        if (lastModified is { } mtime) File.SetLastWriteTimeUtc(path, mtime.UtcDateTime);
        return new UrlDownload(path, lastModified, response.Headers.ETag?.ToString(), actual);
    }
}
