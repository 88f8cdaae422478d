using System.Runtime.InteropServices;
using Ashlar.Executor.Native;

namespace Ashlar.Executor.Cgroups;

/// <summary>
/// cgroup v2 has no devices controller: the rules are an eBPF program (BPF_PROG_TYPE_CGROUP_DEVICE) attached to a
/// cgroup, asked about every open and mknod of a device node by its processes and those of its descendants.
/// </summary>
internal static unsafe class DeviceProgram
{
    private const int BpfProgLoad = 5, BpfProgAttach = 8, ProgTypeCgroupDevice = 15, AttachCgroupDevice = 6;
    private const int AccessMknod = 1, TypeBlock = 1, TypeChar = 2;

    // eBPF opcodes: 64-bit ALU and jumps with an immediate operand, 32-bit loads, exit.
    private const byte LoadWord = 0x61, MovImm = 0xb7, MovReg = 0xbf, AndImm = 0x57, RshImm = 0x77, JneImm = 0x55, Exit = 0x95;

    /// <summary>Loads the program for <paramref name="rules"/> and attaches it to <paramref name="cgroupDirectory"/> (replacing one attached before).</summary>
    public static void Attach(string cgroupDirectory, IReadOnlyList<DeviceRule> rules)
    {
        var code = Compile(rules);
        var program = Load(code, log: null);
        if (program < 0)
        {
            // Again with the verifier's log, to say why.
            var error = LibC.Errno;
            var log = new byte[65536];
            Load(code, log);
            throw new IOException($"loading the device rules (eBPF) failed: {Marshal.GetPInvokeErrorMessage(error)}: {System.Text.Encoding.UTF8.GetString(log).TrimEnd('\0')}");
        }
        var cgroup = Posix.Open(cgroupDirectory, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC);
        try
        {
            if (cgroup < 0) throw new IOException($"open {cgroupDirectory}: {Marshal.GetPInvokeErrorMessage(LibC.Errno)}");
            var attr = stackalloc byte[32];
            new Span<byte>(attr, 32).Clear();
            *(uint*)attr = (uint)cgroup;
            *(uint*)(attr + 4) = (uint)program;
            *(uint*)(attr + 8) = AttachCgroupDevice;
            if (Syscalls.Bpf(BpfProgAttach, attr, 32) < 0)
                throw new IOException($"attaching the device rules to {cgroupDirectory} failed: {Marshal.GetPInvokeErrorMessage(LibC.Errno)}");
        }
        finally
        {
            if (cgroup >= 0) LibC.close(cgroup);
            LibC.close(program); // the attachment keeps the program
        }
    }

    private static int Load(ulong[] code, byte[]? log)
    {
        fixed (ulong* instructions = code)
        fixed (byte* license = "Apache-2.0\0"u8, logBuffer = log)
        {
            var attr = stackalloc byte[128];
            new Span<byte>(attr, 128).Clear();
            *(uint*)attr = ProgTypeCgroupDevice;
            *(uint*)(attr + 4) = (uint)code.Length;
            *(ulong*)(attr + 8) = (ulong)instructions;
            *(ulong*)(attr + 16) = (ulong)license;
            if (log is not null)
            {
                *(uint*)(attr + 24) = 1; // log_level
                *(uint*)(attr + 28) = (uint)log.Length;
                *(ulong*)(attr + 32) = (ulong)logBuffer;
            }
            return Syscalls.Bpf(BpfProgLoad, attr, 128);
        }
    }

    /// <summary>
    /// <c>r1</c> points at <c>struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }</c>, where
    /// access_type is (access &lt;&lt; 16) | type. Returns 1 to allow, 0 to deny.
    /// </summary>
    internal static ulong[] Compile(IReadOnlyList<DeviceRule> rules)
    {
        var code = new List<ulong>
        {
            Instruction(LoadWord, 2, 1, 0, 0),   // r2 = access_type
            Instruction(MovReg, 3, 2, 0, 0),     // r3 = r2
            Instruction(AndImm, 3, 0, 0, 0xffff), // r3 = type
            Instruction(RshImm, 2, 0, 0, 16),    // r2 = access
            Instruction(LoadWord, 4, 1, 4, 0),   // r4 = major
            Instruction(LoadWord, 5, 1, 8, 0),   // r5 = minor
            // Creating a node is allowed for every device (Docker's "c *:* m" and "b *:* m").
            Instruction(JneImm, 2, 0, 2, AccessMknod),
            Instruction(MovImm, 0, 0, 0, 1),
            Instruction(Exit, 0, 0, 0, 0),
        };
        foreach (var rule in rules)
        {
            var checks = rule.Minor is null ? 2 : 3;
            var skip = checks + 1; // from the first check: the remaining checks, the mov and the exit
            code.Add(Instruction(JneImm, 3, 0, (short)(skip--), rule.Type == 'b' ? TypeBlock : TypeChar));
            code.Add(Instruction(JneImm, 4, 0, (short)(skip--), (int)rule.Major));
            if (rule.Minor is { } minor) code.Add(Instruction(JneImm, 5, 0, (short)skip, (int)minor));
            code.Add(Instruction(MovImm, 0, 0, 0, 1));
            code.Add(Instruction(Exit, 0, 0, 0, 0));
        }
        code.Add(Instruction(MovImm, 0, 0, 0, 0));
        code.Add(Instruction(Exit, 0, 0, 0, 0));
        return [.. code];
    }

    // struct bpf_insn { u8 code; u8 dst_reg:4, src_reg:4; s16 off; s32 imm; }
    private static ulong Instruction(byte opcode, int destination, int source, short offset, int immediate) =>
        opcode | (ulong)((destination & 0xf) | ((source & 0xf) << 4)) << 8 | (ulong)(ushort)offset << 16 | (ulong)(uint)immediate << 32;
}
