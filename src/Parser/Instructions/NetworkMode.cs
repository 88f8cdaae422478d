namespace Ashlar.Parser.Instructions;

/// <summary>The network of a RUN step (<c>--network</c>).</summary>
public enum NetworkMode
{
    /// <summary>The builder's default network.</summary>
    Default,
    /// <summary>No network: only a loopback interface.</summary>
    None,
    /// <summary>The host's network namespace.</summary>
    Host,
}
