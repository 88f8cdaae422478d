using Ashlar.Images.Formats;

namespace Ashlar.Builder.Planning;

/// <summary>
/// The automatic platform ARGs BuildKit defines in the global scope
/// (<see href="https://docs.docker.com/reference/dockerfile/#automatic-platform-args-in-the-global-scope"/>).
/// </summary>
internal static class PlatformArgs
{
    public static IReadOnlyList<KeyValuePair<string, string>> For(Platform target, Platform build) =>
    [
        new("TARGETPLATFORM", Format(target)),
        new("TARGETOS", target.OS),
        new("TARGETARCH", target.Architecture),
        new("TARGETVARIANT", target.Variant ?? ""),
        new("BUILDPLATFORM", Format(build)),
        new("BUILDOS", build.OS),
        new("BUILDARCH", build.Architecture),
        new("BUILDVARIANT", build.Variant ?? ""),
    ];

    public static string Format(Platform platform) =>
        $"{platform.OS}/{platform.Architecture}{(string.IsNullOrEmpty(platform.Variant) ? "" : "/" + platform.Variant)}";

    /// <summary>The proxy variables RUN sees without an ARG and that never reach the image history.</summary>
    public static readonly IReadOnlySet<string> Proxy = new HashSet<string>(StringComparer.Ordinal)
    {
        "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy",
        "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy",
    };
}
