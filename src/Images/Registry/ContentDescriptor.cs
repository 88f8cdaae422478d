using Ashlar.Images.Content;

namespace Ashlar.Images.Registry;

/// <summary>
/// A descriptor as a manifest lists it (<see href="https://github.com/opencontainers/image-spec/blob/main/descriptor.md">OCI descriptor</see>):
/// what the registry serves under <see cref="Digest"/>. Index entries also carry their platform.
/// </summary>
internal sealed record ContentDescriptor(string MediaType, Digest Digest, long Size,
    string? Os = null, string? Architecture = null, string? Variant = null);
