using Ashlar.Images.Content;

namespace Ashlar.Images.References;

/// <summary>
/// A normalised image reference, parsed exactly like docker's github.com/distribution/reference
/// (<c>ParseNormalizedNamed</c>): <c>busybox</c> is <c>docker.io/library/busybox</c>, <c>localhost:5000/app:1</c>
/// keeps its registry, upper case in the repository is refused. <see cref="ToString"/> is the full form,
/// <see cref="Familiar"/> the short form docker shows.
/// </summary>
public sealed record ImageReference
{
    /// <summary>Docker Hub's canonical domain.</summary>
    public const string DefaultDomain = "docker.io";

    /// <summary>The tag a reference without tag or digest gets.</summary>
    public const string DefaultTag = "latest";

    private const string LegacyDefaultDomain = "index.docker.io";
    private const string OfficialRepositoryPrefix = "library/";
    private const int NameTotalLengthMax = 255;

    private ImageReference(string domain, string path, string? tag, Digest? digest)
    {
        Domain = domain;
        Path = path;
        Tag = tag;
        Digest = digest;
    }

    /// <summary>The registry host (with port), e.g. <c>docker.io</c> or <c>localhost:5000</c>.</summary>
    public string Domain { get; }

    /// <summary>The repository path inside the registry, e.g. <c>library/busybox</c>.</summary>
    public string Path { get; }

    /// <summary>The tag, if any.</summary>
    public string? Tag { get; }

    /// <summary>The digest, if any.</summary>
    public Digest? Digest { get; }

    /// <summary>Domain and path: <c>docker.io/library/busybox</c>.</summary>
    public string Name => $"{Domain}/{Path}";

    /// <summary>The repository as docker shows it: <c>busybox</c>, <c>user/app</c>, <c>localhost:5000/app</c>.</summary>
    public string FamiliarName
    {
        get
        {
            if (Domain != DefaultDomain) return Name;
            return Path.StartsWith(OfficialRepositoryPrefix, StringComparison.Ordinal) && Path.IndexOf('/', OfficialRepositoryPrefix.Length) < 0
                ? Path[OfficialRepositoryPrefix.Length..]
                : Path;
        }
    }

    /// <summary>The short form docker prints: <c>busybox:latest</c>.</summary>
    public string Familiar => FamiliarName + Suffix;

    /// <summary>The full form: <c>docker.io/library/busybox:latest</c>.</summary>
    public override string ToString() => Name + Suffix;

    private string Suffix => (Tag is null ? "" : ":" + Tag) + (Digest is { } d ? "@" + d : "");

    /// <summary>The same repository with another tag (and no digest).</summary>
    public ImageReference WithTag(string tag)
    {
        if (!ReferenceGrammar.AnchoredTag().IsMatch(tag)) throw new InvalidReferenceException($"{Name}:{tag}", "invalid tag format");
        return new(Domain, Path, tag, null);
    }

    /// <summary>The same repository at a digest (and no tag).</summary>
    public ImageReference WithDigest(Digest digest) => new(Domain, Path, null, digest);

    /// <summary>The repository alone.</summary>
    public ImageReference NameOnly() => new(Domain, Path, null, null);

    /// <summary>Parses and normalises a reference, adding <c>:latest</c> when it has neither tag nor digest.</summary>
    public static ImageReference Parse(string text) => ParseNormalized(text, addDefaultTag: true);

    /// <summary>Parses without throwing.</summary>
    public static bool TryParse(string? text, out ImageReference? reference)
    {
        reference = null;
        if (text is null) return false;
        try
        {
            reference = Parse(text);
            return true;
        }
        catch (InvalidReferenceException)
        {
            return false;
        }
    }

    /// <summary>
    /// docker's <c>ParseNormalizedNamed</c> (then <c>TagNameOnly</c> when <paramref name="addDefaultTag"/>).
    /// Throws <see cref="InvalidReferenceException"/> with docker's reason for anything it would refuse.
    /// </summary>
    public static ImageReference ParseNormalized(string text, bool addDefaultTag = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (ReferenceGrammar.AnchoredIdentifier().IsMatch(text))
            throw new InvalidReferenceException(text, "cannot specify 64-byte hexadecimal strings as a repository name");
        var (domain, remainder) = SplitDockerDomain(text);
        var tagSeparator = remainder.IndexOf(':');
        var remoteName = tagSeparator >= 0 ? remainder[..tagSeparator] : remainder;
        if (remoteName.ToLowerInvariant() != remoteName)
            throw new InvalidReferenceException(text, $"repository name ({remoteName}) must be lowercase");
        var reference = ParseCanonical(domain + "/" + remainder, text);
        return addDefaultTag && reference.Tag is null && reference.Digest is null ? reference.WithTag(DefaultTag) : reference;
    }

    private static (string Domain, string Remainder) SplitDockerDomain(string name)
    {
        string domain, remainder;
        var slash = name.IndexOf('/');
        if (slash < 0 || (name[..slash].IndexOfAny(['.', ':']) < 0 && name[..slash] != "localhost" && name[..slash].ToLowerInvariant() == name[..slash]))
            (domain, remainder) = (DefaultDomain, name);
        else
            (domain, remainder) = (name[..slash], name[(slash + 1)..]);
        if (domain == LegacyDefaultDomain) domain = DefaultDomain;
        if (domain == DefaultDomain && !remainder.Contains('/')) remainder = OfficialRepositoryPrefix + remainder;
        return (domain, remainder);
    }

    // distribution/reference.Parse on an already domain-qualified string; errors name what the user typed.
    private static ImageReference ParseCanonical(string text, string original)
    {
        var match = ReferenceGrammar.Reference().Match(text);
        if (!match.Success)
        {
            if (original.Length == 0) throw new InvalidReferenceException(original, "repository name must have at least one component");
            if (ReferenceGrammar.Reference().IsMatch(text.ToLowerInvariant()))
                throw new InvalidReferenceException(original, "repository name must be lowercase");
            throw new InvalidReferenceException(original, Explain(original));
        }
        var name = match.Groups[1].Value;
        if (name.Length > NameTotalLengthMax)
            throw new InvalidReferenceException(original, $"repository name must not be more than {NameTotalLengthMax} characters");
        var nameMatch = ReferenceGrammar.AnchoredName().Match(name);
        var domain = nameMatch.Groups[1].Value;
        var path = nameMatch.Groups[2].Value;
        string? tag = match.Groups[2].Success ? match.Groups[2].Value : null;
        Digest? digest = null;
        if (match.Groups[3].Success)
        {
            if (!Content.Digest.TryParse(match.Groups[3].Value, out var parsed))
                throw new InvalidReferenceException(original, $"invalid digest \"{match.Groups[3].Value}\" (expected sha256:<64 lower-case hex digits>)");
            digest = parsed;
        }
        return new ImageReference(domain, path, tag, digest);
    }

    // A best guess at which part is wrong, so the error is actionable; docker only says "invalid reference format".
    private static string Explain(string text)
    {
        if (text.Contains("://")) return "invalid reference format: a reference has no scheme (drop \"http://\" or \"https://\")";
        if (text.EndsWith(':') || text.EndsWith('/') || text.EndsWith('@')) return "invalid reference format: it ends with a separator";
        if (text.Contains("//")) return "invalid reference format: empty path component";
        var at = text.IndexOf('@');
        var beforeDigest = at >= 0 ? text[..at] : text;
        var lastSlash = beforeDigest.LastIndexOf('/');
        var colon = beforeDigest.IndexOf(':', lastSlash + 1);
        if (colon >= 0 && !ReferenceGrammar.AnchoredTag().IsMatch(beforeDigest[(colon + 1)..]))
            return $"invalid reference format: invalid tag \"{beforeDigest[(colon + 1)..]}\" (letters, digits, '_', '.', '-', at most 128, not starting with '.' or '-')";
        if (at >= 0) return "invalid reference format: invalid digest";
        return "invalid reference format";
    }
}
