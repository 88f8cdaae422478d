using System.Runtime.InteropServices;

namespace Ashlar.Executor.Native;

/// <summary>A NULL-terminated array of NUL-terminated UTF-8 strings in native memory (argv, envp).</summary>
internal sealed unsafe class NativeStringArray : IDisposable
{
    private readonly int _count;

    public NativeStringArray(IReadOnlyList<string> items)
    {
        _count = items.Count;
        Pointer = (byte**)NativeMemory.AllocZeroed((nuint)(items.Count + 1), (nuint)sizeof(byte*));
        for (var i = 0; i < items.Count; i++)
            Pointer[i] = (byte*)Marshal.StringToCoTaskMemUTF8(items[i]);
    }

    public byte** Pointer { get; private set; }

    public void Dispose()
    {
        if (Pointer is null) return;
        for (var i = 0; i < _count; i++) Marshal.FreeCoTaskMem((nint)Pointer[i]);
        NativeMemory.Free(Pointer);
        Pointer = null;
    }
}
