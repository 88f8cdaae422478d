using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ashlar.Images.Registry.Auth;

/// <summary>
/// A docker credential helper named in config.json (<c>credsStore</c> or <c>credHelpers</c>): the program
/// <c>docker-credential-NAME</c> on PATH, run as <c>get</c> / <c>store</c> / <c>erase</c> with the server on stdin,
/// per <see href="https://github.com/docker/docker-credential-helpers">docker-credential-helpers</see>.
/// </summary>
internal sealed class DockerConfigCredentialHelper(string name, string configuredIn, string? searchPath)
{
    /// <summary>The user name a helper stores for an identity token instead of a password.</summary>
    private const string TokenUsername = "<token>";

    // The message every helper prints when it has nothing for the server (credentials.errCredentialsNotFound).
    private const string NotFoundMessage = "credentials not found in native keychain";

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    public string Program => "docker-credential-" + name;

    /// <summary>The helper's credentials for <paramref name="serverUrl"/>, or null when it has none.</summary>
    public RegistryCredentials? Get(string serverUrl)
    {
        var (exitCode, stdout, stderr) = Run("get", serverUrl);
        if (exitCode != 0)
        {
            if ((stdout + stderr).Contains(NotFoundMessage, StringComparison.OrdinalIgnoreCase)) return null;
            throw Failure("get", serverUrl, exitCode, stdout, stderr);
        }
        JsonObject? reply;
        try
        {
            reply = JsonNode.Parse(stdout) as JsonObject;
        }
        catch (JsonException)
        {
            reply = null;
        }
        if (reply is null)
            throw new RegistryException($"credential helper {Program} ({configuredIn}) answered 'get {serverUrl}' with something other than a JSON object");
        var username = (reply["Username"] as JsonValue)?.GetValue<string>() ?? "";
        var secret = (reply["Secret"] as JsonValue)?.GetValue<string>() ?? "";
        if (username.Length == 0 && secret.Length == 0) return null;
        return username == TokenUsername
            ? new RegistryCredentials("", "", secret)
            : new RegistryCredentials(username, secret);
    }

    /// <summary>Stores credentials (an identity token as the user <c>&lt;token&gt;</c>, as docker does).</summary>
    public void Store(string serverUrl, RegistryCredentials credentials)
    {
        var payload = new JsonObject
        {
            ["ServerURL"] = serverUrl,
            ["Username"] = credentials.IdentityToken is null ? credentials.Username : TokenUsername,
            ["Secret"] = credentials.IdentityToken ?? credentials.Password,
        };
        var (exitCode, stdout, stderr) = Run("store", payload.ToJsonString());
        if (exitCode != 0) throw Failure("store", serverUrl, exitCode, stdout, stderr);
    }

    /// <summary>Forgets a server's credentials; false when the helper had none.</summary>
    public bool Erase(string serverUrl)
    {
        var (exitCode, stdout, stderr) = Run("erase", serverUrl);
        if (exitCode == 0) return true;
        if ((stdout + stderr).Contains(NotFoundMessage, StringComparison.OrdinalIgnoreCase)) return false;
        throw Failure("erase", serverUrl, exitCode, stdout, stderr);
    }

    private (int ExitCode, string Stdout, string Stderr) Run(string action, string input)
    {
        var executable = Find() ?? throw new RegistryException(
            $"credential helper {Program} ({configuredIn}) was not found on PATH; install it, or remove it from the config to use the credentials in the file itself");
        var info = new ProcessStartInfo(executable, [action])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new RegistryException($"credential helper {Program} ({configuredIn}) could not be started");
        }
        catch (Win32Exception e)
        {
            throw new RegistryException($"credential helper {Program} ({configuredIn}) could not be started: {e.Message}", inner: e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            try
            {
                process.StandardInput.Write(input);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The helper exited without reading its input; its exit code and output say why.
            }
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new RegistryException($"credential helper {Program} ({configuredIn}) did not answer '{action}' within {Timeout.TotalSeconds:F0} seconds");
            }
            return (process.ExitCode, stdout.GetAwaiter().GetResult().Trim(), stderr.GetAwaiter().GetResult().Trim());
        }
    }

    private string? Find()
    {
        foreach (var directory in (searchPath ?? Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, Program);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    private RegistryException Failure(string action, string serverUrl, int exitCode, string stdout, string stderr)
    {
        var said = string.Join(": ", new[] { stderr, stdout }.Where(s => s.Length > 0));
        return new RegistryException($"credential helper {Program} ({configuredIn}) failed to {action} the credentials for {serverUrl} (exit code {exitCode}){(said.Length > 0 ? ": " + said : "")}");
    }
}
