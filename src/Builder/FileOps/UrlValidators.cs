using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Ashlar.Images.Content;

namespace Ashlar.Builder.FileOps;

/// <summary>
/// What the store remembers of each ADD URL it downloaded without a checksum, as BuildKit's http source does: the
/// server's ETag and Last-Modified and the content's digest (<c>&lt;store root&gt;/cache/http/&lt;sha256 of the URL&gt;</c>).
/// A conditional HEAD that the server answers "not modified" gives the content digest, and so the step's key, without
/// downloading anything.
/// </summary>
internal sealed class UrlValidators(string directory)
{
    /// <summary>What was recorded for <paramref name="url"/>, or null (never downloaded, no validators, or unreadable).</summary>
    public UrlDownload? TryLoad(string url)
    {
        string[] lines;
        try { lines = File.ReadAllLines(PathOf(url)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        string? etag = null, content = null;
        DateTimeOffset? lastModified = null;
        foreach (var line in lines)
        {
            var space = line.IndexOf(' ');
            if (space < 0) continue;
            var value = line[(space + 1)..];
            switch (line[..space])
            {
                case "etag": etag = value; break;
                case "last-modified": lastModified = DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null; break;
                case "content": content = value; break;
            }
        }
        return content is not null && Digest.TryParse(content, out var digest) && (etag is not null || lastModified is not null)
            ? new UrlDownload("", lastModified, etag, digest) : null;
    }

    /// <summary>Records a download that came with an ETag or Last-Modified (atomically; best effort, it only saves requests).</summary>
    public void Save(string url, UrlDownload download)
    {
        if (download.ETag is null && download.LastModified is null) return;
        var text = new StringBuilder();
        if (download.ETag is { } etag) text.Append("etag ").Append(etag).Append('\n');
        if (download.LastModified is { } lastModified) text.Append("last-modified ").Append(lastModified.ToString("R")).Append('\n');
        text.Append("content ").Append(download.Content).Append('\n');
        var path = PathOf(url);
        var temp = path + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(temp, text.ToString());
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(temp);
        }
    }

    /// <summary>
    /// Whether the server says <paramref name="url"/> still has the recorded content: a HEAD with If-None-Match (the ETag)
    /// or If-Modified-Since answered 304, or answered with the same strong ETag. Any failure is a no: then it is downloaded.
    /// </summary>
    public static async Task<bool> IsUnchangedAsync(string url, UrlDownload recorded, HttpClient client, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, url);
        if (recorded.ETag is { } etag && EntityTagHeaderValue.TryParse(etag, out var tag)) request.Headers.IfNoneMatch.Add(tag);
        else if (recorded.LastModified is { } lastModified) request.Headers.IfModifiedSince = lastModified;
        else return false;
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotModified) return true;
            return response.IsSuccessStatusCode && recorded.ETag is { } known && response.Headers.ETag is { IsWeak: false } now && now.ToString() == known;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private string PathOf(string url) => Path.Combine(directory, Digest.Sha256(Encoding.UTF8.GetBytes(url)).Hex);
}
