using Ashlar.Images.Native;

namespace Ashlar.Images.Content;

/// <summary>Where the store lives when nobody says otherwise.</summary>
public static class StoreLocation
{
    /// <summary>The environment variable that moves the store (the <c>--root</c> option wins over it).</summary>
    public const string EnvironmentVariable = "ASHLAR_ROOT";

    /// <summary>
    /// The root to use: <paramref name="explicitRoot"/>, else <c>$ASHLAR_ROOT</c>, else <c>/var/lib/ashlar</c> for root
    /// and <c>$XDG_DATA_HOME/ashlar</c> (default <c>~/.local/share/ashlar</c>) for everyone else.
    /// </summary>
    public static string Resolve(string? explicitRoot = null)
    {
        if (!string.IsNullOrEmpty(explicitRoot)) return Path.GetFullPath(explicitRoot);
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnvironment)) return Path.GetFullPath(fromEnvironment);
        if (LibC.GetEuid() == 0) return "/var/lib/ashlar";
        var dataHome = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        if (string.IsNullOrEmpty(dataHome))
            dataHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(dataHome, "ashlar");
    }
}
