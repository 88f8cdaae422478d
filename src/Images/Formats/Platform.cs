using System.Runtime.InteropServices;
using System.Text.Json.Serialization;

namespace Ashlar.Images.Formats;

/// <summary>
/// An OCI platform (<c>os/architecture/variant</c>). Matching normalises architecture names like containerd
/// (x86_64 is amd64, aarch64 is arm64) and default variants (arm64 is v8, arm is v7).
/// </summary>
public sealed record Platform
{
    [JsonPropertyName("architecture")] public required string Architecture { get; init; }
    [JsonPropertyName("os")] public required string OS { get; init; }
    [JsonPropertyName("os.version")] public string? OSVersion { get; init; }
    [JsonPropertyName("os.features")] public IReadOnlyList<string>? OSFeatures { get; init; }
    [JsonPropertyName("variant")] public string? Variant { get; init; }
    [JsonPropertyName("features")] public IReadOnlyList<string>? Features { get; init; }

    /// <summary>The platform of this process (linux/amd64 on x86-64 machines).</summary>
    public static Platform Current { get; } = new()
    {
        OS = "linux",
        Architecture = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture switch
        {
            System.Runtime.InteropServices.Architecture.X64 => "amd64",
            System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
            System.Runtime.InteropServices.Architecture.Arm => "arm",
            System.Runtime.InteropServices.Architecture.X86 => "386",
            System.Runtime.InteropServices.Architecture.S390x => "s390x",
            System.Runtime.InteropServices.Architecture.Ppc64le => "ppc64le",
            System.Runtime.InteropServices.Architecture.RiscV64 => "riscv64",
            var other => other.ToString().ToLowerInvariant(),
        },
        Variant = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture switch { System.Runtime.InteropServices.Architecture.Arm64 => "v8", System.Runtime.InteropServices.Architecture.Arm => "v7", _ => null },
    };

    /// <summary>Parses <c>os/arch[/variant]</c> as given to <c>--platform</c>.</summary>
    public static Platform Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length is < 2 or > 3 || parts.Any(string.IsNullOrWhiteSpace))
            throw new FormatException($"invalid platform \"{text}\": expected os/architecture[/variant], e.g. linux/amd64");
        return new Platform { OS = parts[0].ToLowerInvariant(), Architecture = parts[1].ToLowerInvariant(), Variant = parts.Length == 3 ? parts[2] : null };
    }

    /// <summary>Whether an image built for <paramref name="candidate"/> serves a request for this platform.</summary>
    public bool Matches(Platform? candidate)
    {
        if (candidate is null) return false;
        var (arch, variant) = Normalize(Architecture, Variant);
        var (candidateArch, candidateVariant) = Normalize(candidate.Architecture, candidate.Variant);
        if (!string.Equals(OS, candidate.OS, StringComparison.OrdinalIgnoreCase) || arch != candidateArch) return false;
        // No variant asked for: any variant of the architecture will do.
        return Variant is null || variant == candidateVariant;
    }

    /// <summary>The first descriptor whose platform matches, preferring an exact variant over any variant.</summary>
    public Descriptor? SelectFrom(IEnumerable<Descriptor> manifests)
    {
        var candidates = manifests.Where(m => Matches(m.Platform)).ToList();
        var (_, variant) = Normalize(Architecture, Variant);
        return candidates.FirstOrDefault(m => Normalize(m.Platform!.Architecture, m.Platform.Variant).Variant == variant)
            ?? candidates.FirstOrDefault();
    }

    private static (string Architecture, string? Variant) Normalize(string architecture, string? variant)
    {
        var arch = architecture.ToLowerInvariant();
        var v = string.IsNullOrEmpty(variant) ? null : variant.ToLowerInvariant();
        switch (arch)
        {
            case "x86_64" or "x86-64" or "amd64": return ("amd64", v == "v1" ? null : v);
            case "aarch64" or "arm64": return ("arm64", v is null or "8" or "v8" ? "v8" : v);
            case "armhf": return ("arm", "v7");
            case "armel": return ("arm", "v6");
            case "arm": return ("arm", v switch { null or "7" => "v7", "6" => "v6", "5" => "v5", "8" => "v8", _ => v });
            case "i386" or "i686" or "386": return ("386", v);
            default: return (arch, v);
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{OS}/{Architecture}{(Variant is null ? "" : "/" + Variant)}";
}
