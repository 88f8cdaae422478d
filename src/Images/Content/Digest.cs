using System.Security.Cryptography;

namespace Ashlar.Images.Content;

/// <summary>
/// A content digest such as <c>sha256:0123...</c>
/// (<see href="https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests">OCI descriptor digests</see>).
/// Only sha256 is produced; sha512 is accepted when reading.
/// </summary>
public readonly record struct Digest(string Algorithm, string Hex) : IComparable<Digest>
{
    /// <summary>The digest in its <c>algorithm:hex</c> form.</summary>
    public override string ToString() => $"{Algorithm}:{Hex}";

    /// <summary>The first 12 hex characters, as docker shows image ids.</summary>
    public string Short => Hex.Length > 12 ? Hex[..12] : Hex;

    /// <summary>Parses <c>sha256:&lt;64 lower-case hex&gt;</c> (or sha512); throws <see cref="FormatException"/> otherwise.</summary>
    public static Digest Parse(string text) =>
        TryParse(text, out var digest) ? digest : throw new FormatException($"invalid digest \"{text}\": expected sha256:<64 hex digits>");

    /// <summary>Parses a digest without throwing.</summary>
    public static bool TryParse(string? text, out Digest digest)
    {
        digest = default;
        if (text is null) return false;
        var colon = text.IndexOf(':');
        if (colon <= 0) return false;
        var algorithm = text[..colon];
        var hex = text[(colon + 1)..];
        var expectedLength = algorithm switch { "sha256" => 64, "sha512" => 128, _ => -1 };
        if (hex.Length != expectedLength || !hex.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
            return false;
        digest = new Digest(algorithm, hex);
        return true;
    }

    /// <summary>The sha256 digest of a byte span.</summary>
    public static Digest Sha256(ReadOnlySpan<byte> bytes) => FromHash(SHA256.HashData(bytes));

    /// <summary>A sha256 digest from its 32 raw hash bytes.</summary>
    public static Digest FromHash(ReadOnlySpan<byte> sha256Hash) => new("sha256", Convert.ToHexStringLower(sha256Hash));

    /// <inheritdoc />
    public int CompareTo(Digest other) => string.CompareOrdinal(ToString(), other.ToString());
}
