namespace Ashlar.Images.Registry.Auth;

/// <summary>
/// What Ashlar presents to a registry: a user name and password (Basic, or to a token server), or an
/// identity token (an OAuth2 refresh token that <c>docker login</c> may have stored instead of a password).
/// </summary>
public sealed record RegistryCredentials(string Username, string Password, string? IdentityToken = null)
{
    /// <summary>Keeps the password out of logs and exception messages.</summary>
    public override string ToString() => $"RegistryCredentials {{ Username = {Username} }}";
}

/// <summary>Where the client looks up credentials for a registry host when the registry asks for them.</summary>
public interface IRegistryCredentialSource
{
    /// <summary>
    /// The credentials for <paramref name="registryHost"/> (e.g. <c>ghcr.io</c>, <c>127.0.0.1:5000</c>,
    /// <c>docker.io</c>), or null to go anonymous. May throw <see cref="RegistryException"/> when the credentials
    /// exist but cannot be read (e.g. they live in an unsupported credential helper).
    /// </summary>
    RegistryCredentials? Find(string registryHost);
}
