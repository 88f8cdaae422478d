using Ashlar.Images.Content;

namespace Ashlar.Builder.FileOps;

/// <summary>A downloaded ADD URL: the file, the server's Last-Modified (its mtime) and ETag, and the content's digest.</summary>
internal sealed record UrlDownload(string Path, DateTimeOffset? LastModified, string? ETag, Digest Content);
