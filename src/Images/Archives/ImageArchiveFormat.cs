namespace Ashlar.Images.Archives;

/// <summary>The kinds of image archive <c>ashlar save</c> writes.</summary>
public enum ImageArchiveFormat
{
    /// <summary>
    /// What <c>docker save</c> writes since docker 25: <c>manifest.json</c> and <c>repositories</c> for
    /// <c>docker load</c>, plus an OCI layout (<c>oci-layout</c>, <c>index.json</c>, <c>blobs/</c>) in the same tar.
    /// </summary>
    Docker,

    /// <summary>An OCI image layout in a tar (skopeo's <c>oci-archive:</c>).</summary>
    Oci,
}
