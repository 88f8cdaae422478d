namespace Ashlar.Executor.Security;

/// <summary>
/// Builds a classic BPF program with named labels. Conditional jumps here only ever skip the next instruction;
/// every jump to a label is an unconditional <c>ja</c>, whose 32-bit offset reaches anywhere.
/// </summary>
internal sealed class BpfAssembler
{
    private const ushort Ja = 0x05, JeqK = 0x15;

    private readonly List<BpfInstruction> _instructions = [];
    private readonly Dictionary<string, int> _labels = [];
    private readonly List<(int Index, string Label)> _fixups = [];
    private int _generated;

    public void Emit(ushort code, uint k, byte jumpIfTrue = 0, byte jumpIfFalse = 0) =>
        _instructions.Add(new BpfInstruction(code, jumpIfTrue, jumpIfFalse, k));

    public string NewLabel() => $"#{_generated++}";

    public void Label(string name) => _labels.Add(name, _instructions.Count);

    public void Jump(string label)
    {
        _fixups.Add((_instructions.Count, label));
        Emit(Ja, 0);
    }

    /// <summary><c>if (A == value) goto label</c>.</summary>
    public void JumpIfEqual(uint value, string label)
    {
        Emit(JeqK, value, 0, 1);
        Jump(label);
    }

    public IReadOnlyList<BpfInstruction> Assemble()
    {
        foreach (var (index, label) in _fixups)
        {
            var target = _labels.TryGetValue(label, out var at) ? at : throw new InvalidOperationException($"BPF label {label} is not defined");
            if (target <= index) throw new InvalidOperationException($"BPF jumps only forward ({label})");
            _instructions[index] = _instructions[index] with { K = (uint)(target - index - 1) };
        }
        if (_instructions.Count > 4096) throw new InvalidOperationException($"a seccomp filter has at most 4096 instructions, not {_instructions.Count}");
        return _instructions;
    }
}
