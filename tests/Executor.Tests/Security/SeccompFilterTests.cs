using Ashlar.Executor.Security;

namespace Ashlar.Executor.Tests.Security;

/// <summary>The compiled profile, run through a classic BPF interpreter as the kernel would run it.</summary>
public sealed class SeccompFilterTests
{
    private const uint X86_64 = 0xC000003E, I386 = 0x40000003, Aarch64 = 0xC00000B7;
    private const uint Allow = 0x7FFF0000, Eperm = 0x00050001, Enosys = 0x00050026, KillProcess = 0x80000000;

    private static readonly IReadOnlyList<BpfInstruction> Program = SeccompFilter.Build();
    private static readonly IReadOnlyList<BpfInstruction> Arm64Program = SeccompFilter.Build(System.Runtime.InteropServices.Architecture.Arm64);

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
    public void The_program_fits_the_kernels_limit_with_room()
    {
        Assert.InRange(Program.Count, 50, 1024);
        Assert.InRange(Arm64Program.Count, 50, 1024);
    }

    [Theory] // numbers from the kernel's include/uapi/asm-generic/unistd.h, the table arm64 uses
    [InlineData("openat", 56)]
    [InlineData("read", 63)]
    [InlineData("write", 64)]
    [InlineData("newfstatat", 79)]
    [InlineData("fstat", 80)]
    [InlineData("execve", 221)]
    [InlineData("mmap", 222)]
    [InlineData("fadvise64", 223)]
    [InlineData("clone", 220)]
    [InlineData("clone3", 435)]
    [InlineData("renameat", 38)]
    [InlineData("getrlimit", 163)]
    public void The_aarch64_table_has_the_kernels_numbers(string name, int number) =>
        Assert.Equal(number, SyscallTable.Aarch64[name]);

    [Fact]
    public void The_aarch64_table_has_no_legacy_or_32_bit_calls()
    {
        foreach (var name in new[] { "open", "stat", "fork", "mkdir", "clock_gettime64", "futex_time64", "fcntl64", "mmap2" })
            Assert.False(SyscallTable.Aarch64.ContainsKey(name), name);
    }

    [Fact]
    public void On_arm64_every_syscall_the_profile_allows_is_allowed_and_the_rest_fail_with_EPERM()
    {
        foreach (var name in SeccompProfile.Allowed)
            if (SyscallTable.Aarch64.TryGetValue(name, out var number))
                Assert.True(Run(Aarch64, number, program: Arm64Program) == Allow, $"{name} ({number}) on aarch64");
        // unshare, mount, setns, keyctl, add_key, bpf, reboot, and a number beyond the table
        foreach (var number in new[] { 97, 40, 268, 219, 217, 280, 142, 100000 })
            Assert.True(Run(Aarch64, number, program: Arm64Program) == Eperm, $"{number} on aarch64");

        var clone = SyscallTable.Aarch64["clone"];
        Assert.Equal(Allow, Run(Aarch64, clone, 0x01200011, Arm64Program));
        Assert.Equal(Eperm, Run(Aarch64, clone, 0x01200011 | 0x20000000, Arm64Program)); // with CLONE_NEWPID
        Assert.Equal(Enosys, Run(Aarch64, SyscallTable.Aarch64["clone3"], program: Arm64Program));
        Assert.Equal(Eperm, Run(Aarch64, SyscallTable.Aarch64["socket"], 40, Arm64Program)); // AF_VSOCK
        Assert.Equal(Eperm, Run(Aarch64, SyscallTable.Aarch64["personality"], 0x0040000, Arm64Program));
    }

    [Fact]
    public void On_arm64_other_abis_are_killed()
    {
        Assert.Equal(KillProcess, Run(0x40000028, 20, program: Arm64Program)); // 32-bit arm (AUDIT_ARCH_ARM)
        Assert.Equal(KillProcess, Run(X86_64, 39, program: Arm64Program));
    }

    /// <summary>Classic BPF as seccomp runs it, over struct seccomp_data.</summary>
    private static uint Run(uint arch, int number, ulong arg0 = 0, IReadOnlyList<BpfInstruction>? program = null)
    {
        program ??= Program;
        var data = new byte[64];
        BitConverter.GetBytes(number).CopyTo(data, 0);
        BitConverter.GetBytes(arch).CopyTo(data, 4);
        BitConverter.GetBytes(arg0).CopyTo(data, 16);
        uint a = 0;
        for (var pc = 0; pc < program.Count; pc++)
        {
            var i = program[pc];
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
