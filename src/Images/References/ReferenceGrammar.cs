using System.Text.RegularExpressions;

namespace Ashlar.Images.References;

/// <summary>
/// The grammar of github.com/distribution/reference (regexp.go), term by term. <c>\w</c> is spelled out because
/// .NET's includes non-ASCII letters and Go's does not.
/// </summary>
internal static partial class ReferenceGrammar
{
    private const string Alphanumeric = "[a-z0-9]+";
    private const string Separator = "(?:[._]|__|[-]+)";
    private const string PathComponent = Alphanumeric + "(?:" + Separator + Alphanumeric + ")*";
    private const string DomainNameComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private const string Ipv6Address = @"\[(?:[a-fA-F0-9:]+)\]";
    private const string DomainName = DomainNameComponent + @"(?:\." + DomainNameComponent + ")*";
    private const string Host = "(?:" + DomainName + "|" + Ipv6Address + ")";
    private const string DomainAndPort = Host + "(?::[0-9]+)?";
    private const string Tag = "[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,127}";
    private const string DigestText = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
    private const string RemoteName = PathComponent + "(?:/" + PathComponent + ")*";

    [GeneratedRegex("^((?:" + DomainAndPort + "/)?" + RemoteName + ")(?::(" + Tag + "))?(?:@(" + DigestText + "))?$", RegexOptions.CultureInvariant)]
    public static partial Regex Reference();

    [GeneratedRegex("^(?:(" + DomainAndPort + ")/)?(" + RemoteName + ")$", RegexOptions.CultureInvariant)]
    public static partial Regex AnchoredName();

    [GeneratedRegex("^" + Tag + "$", RegexOptions.CultureInvariant)]
    public static partial Regex AnchoredTag();

    [GeneratedRegex("^[a-f0-9]{64}$", RegexOptions.CultureInvariant)]
    public static partial Regex AnchoredIdentifier();
}
