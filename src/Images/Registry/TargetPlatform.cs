using System.Runtime.InteropServices;

namespace Ashlar.Images.Registry;

/// <summary>
/// The platform a pull picks from an image index or manifest list, written <c>os/arch[/variant]</c>
/// as in <c>--platform linux/arm64/v8</c>.
/// </summary>
public sealed record TargetPlatform(string Os, string Architecture, string? Variant = null)
{
    /// <summary>linux and the architecture this process runs on (linux/amd64 on x64).</summary>
    public static TargetPlatform Default { get; } = new("linux", RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.Arm => "arm",
        System.Runtime.InteropServices.Architecture.X86 => "386",
        System.Runtime.InteropServices.Architecture.S390x => "s390x",
        System.Runtime.InteropServices.Architecture.Ppc64le => "ppc64le",
        System.Runtime.InteropServices.Architecture.RiscV64 => "riscv64",
        _ => "amd64",
    });

    /// <summary>Parses <c>os/arch[/variant]</c>; throws <see cref="FormatException"/> naming the text otherwise.</summary>
    public static TargetPlatform Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length is < 2 or > 3 || parts.Any(string.IsNullOrWhiteSpace))
            throw new FormatException($"invalid platform \"{text}\": expected os/arch or os/arch/variant, e.g. linux/amd64");
        return new TargetPlatform(parts[0].ToLowerInvariant(), parts[1].ToLowerInvariant(), parts.Length == 3 ? parts[2].ToLowerInvariant() : null);
    }

    /// <summary>
    /// Whether an index entry's platform fits. A variant asked for must match; arm64's implicit variant is v8
    /// (the normalisation containerd applies), and no variant asked for accepts any.
    /// </summary>
    public bool Matches(string? os, string? architecture, string? variant)
    {
        if (!string.Equals(os, Os, StringComparison.OrdinalIgnoreCase)) return false;
        if (!string.Equals(architecture, Architecture, StringComparison.OrdinalIgnoreCase)) return false;
        if (Variant is null) return true;
        return string.Equals(Normalise(variant), Normalise(Variant), StringComparison.OrdinalIgnoreCase);
    }

    string? Normalise(string? variant) => Architecture == "arm64" && string.IsNullOrEmpty(variant) ? "v8" : variant;

    /// <inheritdoc />
    public override string ToString() => Variant is null ? $"{Os}/{Architecture}" : $"{Os}/{Architecture}/{Variant}";
}
