using System.Text;

namespace Ashlar.Executor.Containers;

/// <summary>Cuts a byte stream into lines (without "\n") and hands each one to a callback as soon as it is complete.</summary>
internal sealed class LineSplitter(Action<string>? onLine)
{
    private readonly MemoryStream _pending = new();

    public void Feed(ReadOnlySpan<byte> bytes)
    {
        if (onLine is null) return;
        while (bytes.Length > 0)
        {
            var newline = bytes.IndexOf((byte)'\n');
            if (newline < 0)
            {
                _pending.Write(bytes);
                return;
            }
            _pending.Write(bytes[..newline]);
            Emit();
            bytes = bytes[(newline + 1)..];
        }
    }

    /// <summary>At end of stream: a last line without "\n" is still a line.</summary>
    public void Flush()
    {
        if (onLine is not null && _pending.Length > 0) Emit();
    }

    private void Emit()
    {
        var line = Encoding.UTF8.GetString(_pending.GetBuffer(), 0, (int)_pending.Length);
        _pending.SetLength(0);
        onLine!(line);
    }
}
