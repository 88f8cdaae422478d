using System.Runtime.InteropServices;

namespace Ashlar.Executor.Security;

/// <summary>
/// Compiles <see cref="SeccompProfile"/> to a classic BPF seccomp filter and installs it. The filter checks the
/// architecture first (on x86_64: x86_64 and its i386 ABI; on arm64: aarch64 only, as Docker's profile lists no
/// 32-bit arm calls for it; x32 and anything else are refused, so a syscall number can never be read in another
/// ABI's table), then finds the syscall number by binary search: classic BPF's conditional jumps reach only 255
/// instructions, so every far jump goes through an unconditional <c>ja</c>.
/// </summary>
internal static class SeccompFilter
{
    private const uint AuditArchX86_64 = 0xC000003E, AuditArchI386 = 0x40000003, AuditArchAarch64 = 0xC00000B7;
    private const uint X32SyscallBit = 0x40000000;
    private const uint RetAllow = 0x7FFF0000, RetErrno = 0x00050000, RetKillProcess = 0x80000000;

    // struct seccomp_data { int nr; u32 arch; u64 instruction_pointer; u64 args[6]; } (little-endian halves)
    private const uint OffsetNr = 0, OffsetArch = 4;
    private static uint ArgLow(int index) => (uint)(16 + 8 * index);
    private static uint ArgHigh(int index) => (uint)(20 + 8 * index);

    private const ushort LdAbs = 0x20, JeqK = 0x15, JgeK = 0x35, JsetK = 0x45, Ja = 0x05, RetK = 0x06;

    private enum Verdict { Allow, Personality, Socket, Clone, Clone3 }

    /// <summary>Whether this machine's architecture has a table (x86_64, arm64); elsewhere containers run without seccomp.</summary>
    public static bool IsSupported => RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    /// <summary>Docker's default profile as a <c>struct sock_filter</c> array, built once per process (the init only installs it).</summary>
    public static byte[] DockerDefault => Compiled.Value;

    private static readonly Lazy<byte[]> Compiled =
        new(() => MemoryMarshal.AsBytes(Build(RuntimeInformation.ProcessArchitecture).ToArray().AsSpan()).ToArray());

    /// <summary>The filter for a kernel of <paramref name="machine"/> (x64 or arm64).</summary>
    internal static IReadOnlyList<BpfInstruction> Build(Architecture machine = Architecture.X64)
    {
        var program = new BpfAssembler();
        program.Emit(LdAbs, OffsetArch);
        if (machine == Architecture.Arm64)
        {
            program.JumpIfEqual(AuditArchAarch64, "aarch64");
            program.Emit(RetK, RetKillProcess);

            program.Label("aarch64");
            program.Emit(LdAbs, OffsetNr);
            Dispatch(program, Verdicts(SyscallTable.Aarch64));
        }
        else if (machine == Architecture.X64)
        {
            program.JumpIfEqual(AuditArchX86_64, "x86_64");
            program.JumpIfEqual(AuditArchI386, "i386");
            program.Emit(RetK, RetKillProcess);

            program.Label("x86_64");
            program.Emit(LdAbs, OffsetNr);
            program.Emit(JgeK, X32SyscallBit, 0, 1);
            program.Jump("deny");
            Dispatch(program, Verdicts(SyscallTable.X86_64));

            program.Label("i386");
            program.Emit(LdAbs, OffsetNr);
            Dispatch(program, Verdicts(SyscallTable.I386));
        }
        else
        {
            throw new PlatformNotSupportedException($"no seccomp syscall table for {machine}");
        }

        program.Label("personality");
        program.Emit(LdAbs, ArgHigh(0));
        program.Emit(JeqK, 0, 1, 0);
        program.Jump("deny");
        program.Emit(LdAbs, ArgLow(0));
        foreach (var persona in SeccompProfile.AllowedPersonalities)
            program.JumpIfEqual(persona, "allow");
        program.Jump("deny");

        program.Label("socket");
        program.Emit(LdAbs, ArgHigh(0));
        program.Emit(JeqK, 0, 1, 0);
        program.Jump("allow");
        program.Emit(LdAbs, ArgLow(0));
        program.JumpIfEqual(SeccompProfile.DeniedSocketFamily, "deny");
        program.Jump("allow");

        program.Label("clone");
        program.Emit(LdAbs, ArgLow(0)); // the mask has no high bits: only the low half can carry them
        program.Emit(JsetK, SeccompProfile.CloneNamespaceFlags, 0, 1);
        program.Jump("deny");
        program.Jump("allow");

        program.Label("clone3");
        program.Emit(RetK, RetErrno | (uint)SeccompProfile.Clone3Errno);
        program.Label("allow");
        program.Emit(RetK, RetAllow);
        program.Label("deny");
        program.Emit(RetK, RetErrno | SeccompProfile.DefaultErrno);
        return program.Assemble();
    }

    private static List<(uint Number, Verdict Verdict)> Verdicts(IReadOnlyDictionary<string, int> table)
    {
        var verdicts = new Dictionary<uint, Verdict>();
        foreach (var name in SeccompProfile.Allowed)
            if (table.TryGetValue(name, out var number)) verdicts[(uint)number] = Verdict.Allow;
        foreach (var (name, verdict) in new[] { ("personality", Verdict.Personality), ("socket", Verdict.Socket), ("clone", Verdict.Clone), ("clone3", Verdict.Clone3) })
            if (table.TryGetValue(name, out var number)) verdicts[(uint)number] = verdict;
        return verdicts.OrderBy(v => v.Key).Select(v => (v.Key, v.Value)).ToList();
    }

    private static string LabelOf(Verdict verdict) => verdict switch
    {
        Verdict.Allow => "allow", Verdict.Personality => "personality", Verdict.Socket => "socket",
        Verdict.Clone => "clone", _ => "clone3",
    };

    /// <summary>
    /// Binary search on the syscall number (in the accumulator) over runs of consecutive numbers with one verdict:
    /// most allowed syscalls sit in long runs, so the program stays small and the kernel's per-container JIT cheap.
    /// A number outside every listed run is denied.
    /// </summary>
    private static void Dispatch(BpfAssembler program, List<(uint Number, Verdict Verdict)> entries)
    {
        var runs = new List<(uint First, string Label)>();
        var expected = 0u;
        foreach (var (number, verdict) in entries)
        {
            if (number != expected) runs.Add((expected, "deny")); // the gap before this number
            var label = LabelOf(verdict);
            if (runs.Count == 0 || runs[^1].Label != label || number != expected) runs.Add((number, label));
            expected = number + 1;
        }
        runs.Add((expected, "deny")); // everything above the highest listed number
        Search(program, runs);
    }

    private static void Search(BpfAssembler program, List<(uint First, string Label)> runs)
    {
        if (runs.Count == 1)
        {
            program.Jump(runs[0].Label);
            return;
        }
        var middle = runs.Count / 2;
        var upper = program.NewLabel();
        program.Emit(JgeK, runs[middle].First, 0, 1);
        program.Jump(upper);
        Search(program, runs[..middle]);
        program.Label(upper);
        Search(program, runs[middle..]);
    }
}
