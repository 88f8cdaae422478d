using Ashlar.Images.Formats;

namespace Ashlar.Images.Registry;

/// <summary>What a registry is asked for when Ashlar fetches a manifest, and the old types it refuses by name.</summary>
internal static class DistributionMediaTypes
{
    public const string DockerSchema1 = "application/vnd.docker.distribution.manifest.v1+json";
    public const string DockerSchema1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws";

    /// <summary>Every manifest type Ashlar understands, for the Accept header: indexes first, so a registry that
    /// could serve either serves the multi-platform form and the platform is chosen here.</summary>
    public static readonly string[] Accepted = [MediaTypes.OciIndex, MediaTypes.DockerManifestList, MediaTypes.OciManifest, MediaTypes.DockerManifest];
}
