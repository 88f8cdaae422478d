namespace Ashlar.Builder;

/// <summary>The exporters of <c>--output type=...</c>.</summary>
public enum BuildOutputType
{
    /// <summary>The local image store (the default).</summary>
    Image,
    /// <summary>A <c>docker load</c>-able tar.</summary>
    Docker,
    /// <summary>An OCI image layout tar.</summary>
    Oci,
    /// <summary>The final stage's files, written into a directory.</summary>
    Local,
    /// <summary>The final stage's files as one tar.</summary>
    Tar,
}
