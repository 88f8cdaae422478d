using System.Formats.Tar;
using System.Text;

namespace Ashlar.Images.Tests.Support;

/// <summary>Builds tars entry by entry, including the hostile ones a real tool would refuse to make.</summary>
internal sealed class TarBuilder
{
    private readonly MemoryStream _buffer = new();
    private readonly TarWriter _writer;

    public TarBuilder() => _writer = new TarWriter(_buffer, TarEntryFormat.Pax, leaveOpen: true);

    public TarBuilder Directory(string name, int mode = 0x1ed, int uid = 0, int gid = 0)
    {
        _writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, name) { Mode = (UnixFileMode)mode, Uid = uid, Gid = gid, ModificationTime = Time });
        return this;
    }

    public TarBuilder File(string name, string content, int mode = 0x1a4, int uid = 0, int gid = 0, Dictionary<string, string>? pax = null, DateTimeOffset? mtime = null)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name, pax ?? [])
        {
            Mode = (UnixFileMode)mode, Uid = uid, Gid = gid, ModificationTime = mtime ?? Time,
            DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
        };
        _writer.WriteEntry(entry);
        return this;
    }

    public TarBuilder Symlink(string name, string target)
    {
        _writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target, Mode = (UnixFileMode)0x1ff, ModificationTime = Time });
        return this;
    }

    public TarBuilder HardLink(string name, string target)
    {
        _writer.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, name) { LinkName = target, ModificationTime = Time });
        return this;
    }

    public TarBuilder Special(string name, TarEntryType type, int major = 0, int minor = 0, int mode = 0x1a4)
    {
        var entry = new PaxTarEntry(type, name) { Mode = (UnixFileMode)mode, ModificationTime = Time };
        if (type != TarEntryType.Fifo)
        {
            entry.DeviceMajor = major;
            entry.DeviceMinor = minor;
        }
        _writer.WriteEntry(entry);
        return this;
    }

    public static DateTimeOffset Time { get; } = new(2021, 3, 4, 5, 6, 7, TimeSpan.Zero);

    public byte[] Build()
    {
        _writer.Dispose();
        return _buffer.ToArray();
    }

    public MemoryStream BuildStream() => new(Build());
}
