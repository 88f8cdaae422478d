namespace Ashlar.Executor.Containers;

/// <summary>The container could not start its command (missing executable, unknown user, failed mount, ...).</summary>
public sealed class ContainerStartException : Exception
{
    internal ContainerStartException(string step, int errno, string message) : base(message)
        => (Step, Errno) = (step, errno);

    /// <summary>The setup step that failed, e.g. <c>exec</c>, <c>user</c>, <c>mount rootfs</c>.</summary>
    public string Step { get; }

    /// <summary>The errno of the failing call, or 0.</summary>
    public int Errno { get; }
}
