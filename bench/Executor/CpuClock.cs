using System.Runtime.InteropServices;

/// <summary>
/// CPU time of this process plus its reaped children (user + system): less sensitive to a busy machine than wall
/// time, and it counts the kernel's work for namespaces and mounts in the children.
/// </summary>
internal static unsafe class CpuClock
{
    [DllImport("libc")] private static extern int getrusage(int who, byte* usage);

    public static TimeSpan Now => Read(0 /* RUSAGE_SELF */) + Read(-1 /* RUSAGE_CHILDREN */);

    private static TimeSpan Read(int who)
    {
        var usage = stackalloc byte[144];
        getrusage(who, usage);
        return TimeSpan.FromSeconds(*(long*)usage + *(long*)(usage + 16)) + TimeSpan.FromMicroseconds(*(long*)(usage + 8) + *(long*)(usage + 24));
    }
}
