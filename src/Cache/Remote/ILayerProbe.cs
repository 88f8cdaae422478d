using Ashlar.Images.Formats;

namespace Ashlar.Cache.Remote;

/// <summary>A layer source that can say whether it has a blob without copying it (a HEAD, a file check).</summary>
internal interface ILayerProbe
{
    Task<bool> ContainsAsync(Descriptor layer, CancellationToken cancellationToken);
}
