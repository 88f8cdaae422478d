using System.Buffers;
using System.Runtime.InteropServices;

namespace Ashlar.Images.Content;

/// <summary>
/// Native memory aligned to a page, as O_DIRECT writes need (buffer address, offset and length all aligned);
/// a <see cref="MemoryManager{T}"/> so it can go to <see cref="RandomAccess.WriteAsync(Microsoft.Win32.SafeHandles.SafeFileHandle, ReadOnlyMemory{byte}, long, CancellationToken)"/>.
/// </summary>
internal sealed unsafe class AlignedBuffer(int length) : MemoryManager<byte>
{
    public const int Alignment = 4096;

    private byte* _pointer = (byte*)NativeMemory.AlignedAlloc((nuint)length, Alignment);

    public int Length => length;

    public override Span<byte> GetSpan()
    {
        ObjectDisposedException.ThrowIf(_pointer is null, this);
        return new Span<byte>(_pointer, length);
    }

    public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

    public override void Unpin() { }

    protected override void Dispose(bool disposing)
    {
        if (_pointer is null) return;
        NativeMemory.AlignedFree(_pointer);
        _pointer = null;
    }
}
