namespace Ashlar.Images.Formats;

/// <summary>Annotation keys Ashlar reads and writes.</summary>
public static class AnnotationKeys
{
    /// <summary>OCI image-layout's reference name for an entry of index.json.</summary>
    public const string RefName = "org.opencontainers.image.ref.name";

    /// <summary>The full image name containerd (and docker save since 25) put on index entries.</summary>
    public const string ContainerdImageName = "io.containerd.image.name";

    /// <summary>The creation time of an image (OCI pre-defined annotation).</summary>
    public const string Created = "org.opencontainers.image.created";
}
