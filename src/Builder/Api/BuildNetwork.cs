namespace Ashlar.Builder;

/// <summary>The network of RUN steps (docker build's <c>--network</c>).</summary>
public enum BuildNetwork
{
    /// <summary>The builder's default: the host's network.</summary>
    Default,
    /// <summary>Only loopback.</summary>
    None,
    /// <summary>The host's network.</summary>
    Host,
}
