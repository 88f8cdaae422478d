using System.Text;

namespace Ashlar.Executor.Containers;

/// <summary>Reads a pipe to its end and hands each complete line (without "\n") to a callback as it arrives.</summary>
internal static class LinePump
{
    public static async Task RunAsync(Stream pipe, Action<string>? onLine)
    {
        var buffer = new byte[16384];
        var pending = new MemoryStream();
        while (true)
        {
            var read = await pipe.ReadAsync(buffer).ConfigureAwait(false);
            if (read == 0) break;
            if (onLine is null) continue;
            var start = 0;
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != (byte)'\n') continue;
                pending.Write(buffer, start, i - start);
                onLine(Decode(pending));
                start = i + 1;
            }
            pending.Write(buffer, start, read - start);
        }
        if (onLine is not null && pending.Length > 0) onLine(Decode(pending));
    }

    private static string Decode(MemoryStream line)
    {
        var text = Encoding.UTF8.GetString(line.GetBuffer(), 0, (int)line.Length);
        line.SetLength(0);
        return text;
    }
}
