using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace Ashlar.Images.Tests.Registry.Support;

/// <summary>
/// A token server for the registry's <c>auth: token</c> mode, on loopback: it checks Basic credentials and issues
/// ES256 JWTs granting what was asked for (anonymous callers get no access), signed with a key whose self-signed
/// certificate is the registry's <c>rootcertbundle</c>. The registry finds the key by the JWT's libtrust key id.
/// </summary>
internal sealed class TokenServer : IDisposable
{
    public const string Service = "ashlar-test-registry";
    public const string Issuer = "ashlar-test-issuer";

    readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    readonly FakeRegistry server;
    readonly string keyId;

    public TokenServer(string certificatePath, string username, string password, bool useAccessTokenField = false)
    {
        var request = new CertificateRequest("CN=ashlar test token issuer", key, HashAlgorithmName.SHA256);
        using (var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1)))
            File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        keyId = LibtrustKeyId(key.ExportSubjectPublicKeyInfo());
        server = new FakeRegistry((context, _) => IssueAsync(context, username, password, useAccessTokenField));
    }

    public string Realm => $"http://{server.Host}/token";

    /// <summary>Every scope list asked for, in order; and who asked (null for anonymous).</summary>
    public ConcurrentQueue<(string? User, string[] Scopes)> Requests { get; } = new();

    /// <summary>The registry config's auth section for this server.</summary>
    public string AuthYaml(string certificatePath) => $"""
        auth:
          token:
            realm: {Realm}
            service: {Service}
            issuer: {Issuer}
            rootcertbundle: {certificatePath}
        """;

    async Task IssueAsync(HttpListenerContext context, string username, string password, bool useAccessTokenField)
    {
        var query = context.Request.QueryString;
        var scopes = query.GetValues("scope") ?? [];
        string? user = null;
        var header = context.Request.Headers["Authorization"];
        if (header is not null)
        {
            var decoded = header.StartsWith("Basic ") ? Encoding.UTF8.GetString(Convert.FromBase64String(header[6..])) : "";
            if (decoded != $"{username}:{password}")
            {
                Requests.Enqueue(("(refused)", scopes));
                await FakeRegistry.WriteAsync(context, "{\"details\":\"incorrect username or password\"}"u8.ToArray(), "application/json", HttpStatusCode.Unauthorized);
                return;
            }
            user = username;
        }
        Requests.Enqueue((user, scopes));
        if (query["service"] != Service)
        {
            await FakeRegistry.WriteAsync(context, [], status: HttpStatusCode.BadRequest);
            return;
        }

        var access = new JsonArray();
        if (user is not null)
        {
            foreach (var scope in scopes.SelectMany(s => s.Split(' ')))
            {
                var parts = scope.Split(':');
                if (parts.Length != 3) continue;
                access.Add((JsonNode)new JsonObject
                {
                    ["type"] = parts[0], ["name"] = parts[1],
                    ["actions"] = new JsonArray(parts[2].Split(',').Select(a => (JsonNode)JsonValue.Create(a)!).ToArray()),
                });
            }
        }
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = new JsonObject
        {
            ["iss"] = Issuer, ["sub"] = user ?? "", ["aud"] = Service, ["exp"] = now + 300, ["nbf"] = now - 10, ["iat"] = now,
            ["jti"] = Guid.NewGuid().ToString("N"), ["access"] = access,
        };
        var headerJson = new JsonObject { ["typ"] = "JWT", ["alg"] = "ES256", ["kid"] = keyId };
        var signingInput = $"{Base64Url(Encoding.UTF8.GetBytes(headerJson.ToJsonString()))}.{Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()))}";
        // .NET signs ECDSA in the IEEE P1363 form (r || s) that JWS ES256 wants.
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256);
        var token = $"{signingInput}.{Base64Url(signature)}";
        var body = new JsonObject { [useAccessTokenField ? "access_token" : "token"] = token, ["expires_in"] = 300 };
        await FakeRegistry.WriteAsync(context, Encoding.UTF8.GetBytes(body.ToJsonString()), "application/json");
    }

    /// <summary>docker/libtrust's key id: the first 240 bits of sha256(SPKI DER), base32, in colon-separated groups of 4.</summary>
    static string LibtrustKeyId(byte[] subjectPublicKeyInfo)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bits = SHA256.HashData(subjectPublicKeyInfo)[..30];
        var base32 = new StringBuilder();
        int buffer = 0, count = 0;
        foreach (var b in bits)
        {
            buffer = (buffer << 8) | b;
            count += 8;
            while (count >= 5)
            {
                base32.Append(alphabet[(buffer >> (count - 5)) & 31]);
                count -= 5;
            }
        }
        return string.Join(':', base32.ToString().Chunk(4).Select(c => new string(c)));
    }

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public void Dispose()
    {
        server.Dispose();
        key.Dispose();
    }
}
