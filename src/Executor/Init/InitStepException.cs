namespace Ashlar.Executor.Init;

/// <summary>A setup step of the init failed; it travels to the parent as (step, errno, detail).</summary>
internal sealed class InitStepException(string step, int errno, string detail)
    : Exception($"{step}: {detail} (errno {errno})")
{
    public string Step { get; } = step;
    public int Errno { get; } = errno;
    public string Detail { get; } = detail;
}
