using Ashlar.Executor.Security;

namespace Ashlar.Executor.Tests.Security;

/// <summary>The compiled profile, run through a classic BPF interpreter as the kernel would run it.</summary>
public sealed class SeccompFilterTests
{
    private const uint X86_64 = 0xC000003E, I386 = 0x40000003, Aarch64 = 0xC00000B7;
    private const uint Allow = 0x7FFF0000, Eperm = 0x00050001, Enosys = 0x00050026, KillProcess = 0x80000000;

    private static readonly IReadOnlyList<BpfInstruction> Program = SeccompFilter.Build();

    [Fact]
    public void Every_syscall_the_profile_allows_is_allowed()
    {
        foreach (var name in SeccompProfile.Allowed)
        {
            if (SyscallTable.X86_64.TryGetValue(name, out var number))
                Assert.True(Run(X86_64, number) == Allow, $"{name} ({number}) on x86_64");
            if (SyscallTable.I386.TryGetValue(name, out number))
                Assert.True(Run(I386, number) == Allow, $"{name} ({number}) on i386");
        }
    }

    [Theory]
    [InlineData("unshare", 272)]
    [InlineData("mount", 165)]
    [InlineData("setns", 308)]
    [InlineData("keyctl", 250)]
    [InlineData("add_key", 248)]
    [InlineData("bpf", 321)]
    [InlineData("reboot", 169)]
    [InlineData("beyond the table", 100000)]
    public void Syscalls_Docker_blocks_fail_with_EPERM(string name, int number) =>
        Assert.True(Run(X86_64, number) == Eperm, name);

    [Fact]
    public void Argument_filters_follow_Dockers_profile()
    {
        var clone = SyscallTable.X86_64["clone"];
        Assert.Equal(Allow, Run(X86_64, clone, 0x01200011)); // fork: CLONE_CHILD_SETTID|CLEARTID|SIGCHLD
        Assert.Equal(Eperm, Run(X86_64, clone, 0x01200011 | 0x20000000)); // with CLONE_NEWPID
        Assert.Equal(Enosys, Run(X86_64, SyscallTable.X86_64["clone3"])); // libc falls back to clone

        var personality = SyscallTable.X86_64["personality"];
        Assert.Equal(Allow, Run(X86_64, personality, 0x8));
        Assert.Equal(Allow, Run(X86_64, personality, 0xffffffff));
        Assert.Equal(Eperm, Run(X86_64, personality, 0x0040000)); // ADDR_NO_RANDOMIZE
        Assert.Equal(Eperm, Run(X86_64, personality, 0x1_0000_0008)); // the high half counts too

        var socket = SyscallTable.X86_64["socket"];
        Assert.Equal(Allow, Run(X86_64, socket, 2)); // AF_INET
        Assert.Equal(Eperm, Run(X86_64, socket, 40)); // AF_VSOCK
    }

    [Fact]
    public void Other_abis_are_refused()
    {
        Assert.Equal(Eperm, Run(X86_64, 0x40000000 | 39)); // x32's getpid
        Assert.Equal(KillProcess, Run(Aarch64, 172));
        Assert.Equal(Allow, Run(I386, SyscallTable.I386["socketcall"]));
    }

    [Fact]
    public void The_program_fits_the_kernels_limit_with_room() => Assert.InRange(Program.Count, 50, 1024);

    /// <summary>Classic BPF as seccomp runs it, over struct seccomp_data.</summary>
    private static uint Run(uint arch, int number, ulong arg0 = 0)
    {
        var data = new byte[64];
        BitConverter.GetBytes(number).CopyTo(data, 0);
        BitConverter.GetBytes(arch).CopyTo(data, 4);
        BitConverter.GetBytes(arg0).CopyTo(data, 16);
        uint a = 0;
        for (var pc = 0; pc < Program.Count; pc++)
        {
            var i = Program[pc];
            switch (i.Code)
            {
                case 0x20: a = BitConverter.ToUInt32(data, (int)i.K); break; // ld [k]
                case 0x15: pc += a == i.K ? i.JumpIfTrue : i.JumpIfFalse; break; // jeq
                case 0x35: pc += a >= i.K ? i.JumpIfTrue : i.JumpIfFalse; break; // jge
                case 0x45: pc += (a & i.K) != 0 ? i.JumpIfTrue : i.JumpIfFalse; break; // jset
                case 0x05: pc += (int)i.K; break; // ja
                case 0x06: return i.K; // ret
                default: throw new InvalidOperationException($"unexpected BPF opcode {i.Code:x} at {pc}");
            }
        }
        throw new InvalidOperationException("the program fell off its end");
    }
}
