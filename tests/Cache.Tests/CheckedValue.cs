using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Ashlar.Cache.Tests;

/// <summary>A value that proves it is whole: writer id, sequence, filler, then the sha256 of all that.</summary>
internal static class CheckedValue
{
    public static byte[] Create(int writer, int sequence)
    {
        // Sizes vary so that a torn mix of two writes could not pass the length check by accident.
        var length = 8 + 16 * 1024 + (writer * 7919 + sequence * 104729) % (48 * 1024);
        var value = new byte[length + 32];
        BinaryPrimitives.WriteInt32LittleEndian(value, writer);
        BinaryPrimitives.WriteInt32LittleEndian(value.AsSpan(4), sequence);
        value.AsSpan(8, length - 8).Fill((byte)(writer * 31 + sequence));
        SHA256.HashData(value.AsSpan(0, length), value.AsSpan(length));
        return value;
    }

    /// <summary>The writer id of a whole value; throws if the value is torn.</summary>
    public static int Verify(byte[] value)
    {
        var length = value.Length - 32;
        if (length < 8 || !SHA256.HashData(value.AsSpan(0, length)).AsSpan().SequenceEqual(value.AsSpan(length)))
            throw new Xunit.Sdk.XunitException($"torn value of {value.Length} bytes");
        return BinaryPrimitives.ReadInt32LittleEndian(value);
    }
}
