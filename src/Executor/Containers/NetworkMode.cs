namespace Ashlar.Executor.Containers;

/// <summary>The network a container gets (docker build's <c>--network</c>).</summary>
public enum NetworkMode
{
    /// <summary>The host's network namespace (docker build's default).</summary>
    Host,
    /// <summary>An empty network namespace with only loopback, up.</summary>
    None,
}
