using System.Globalization;

namespace Ashlar.Cache.Remote;

/// <summary>Where a shared cache index lives: <c>redis://[:password@]host[:port][/db]</c> (<c>--cache-index</c>, <c>ASHLAR_CACHE_INDEX</c>).</summary>
/// <param name="Host">The Redis host name or address.</param>
/// <param name="Port">The port (6379 unless given).</param>
/// <param name="Database">The database number (0 unless given).</param>
/// <param name="Password">The password from the address's user info, or null.</param>
public sealed record CacheIndexAddress(string Host, int Port, int Database, string? Password)
{
    /// <summary>The environment variable that names the index when no flag does.</summary>
    public const string EnvironmentVariable = "ASHLAR_CACHE_INDEX";

    private const int DefaultPort = 6379;

    /// <summary>Parses <c>redis://host:port[/db]</c>; a <see cref="FormatException"/> says what is wrong.</summary>
    public static CacheIndexAddress Parse(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme != "redis" || uri.Host.Length == 0)
            throw new FormatException($"invalid cache index \"{text}\": expected redis://host[:port][/db]");
        var database = 0;
        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0 && (!int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out database) || database > 15))
            throw new FormatException($"invalid cache index \"{text}\": the database \"{path}\" must be a number from 0 to 15");
        string? password = null;
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':');
            password = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[(colon + 1)..]);
        }
        return new CacheIndexAddress(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port, database, password);
    }

    /// <summary><c>redis://host:port/db</c>, without the password (for messages).</summary>
    public override string ToString() => $"redis://{Host}:{Port.ToString(CultureInfo.InvariantCulture)}/{Database.ToString(CultureInfo.InvariantCulture)}";
}
