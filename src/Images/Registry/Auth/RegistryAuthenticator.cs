using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;

namespace Ashlar.Images.Registry.Auth;

/// <summary>
/// Answers a registry's <c>WWW-Authenticate</c> challenges: Basic with the host's credentials, or Bearer with a
/// token fetched from the challenge's realm for the scopes a request needs
/// (<see href="https://distribution.github.io/distribution/spec/auth/token/">token flow</see>). A host's last
/// challenge is remembered so later requests carry credentials from the start, and tokens are cached per
/// realm, service and scope set until shortly before they expire.
/// </summary>
internal sealed class RegistryAuthenticator(HttpClient http, IRegistryCredentialSource? credentialSource, RetryPolicy retry)
{
    static readonly TimeSpan ExpiryMargin = TimeSpan.FromSeconds(10);
    static readonly TimeSpan TokenTimeout = TimeSpan.FromMinutes(1);

    readonly ConcurrentDictionary<string, AuthChallenge> challenges = new();
    readonly ConcurrentDictionary<string, Lazy<Task<CachedToken>>> tokens = new();
    readonly ConcurrentDictionary<string, (RegistryCredentials? Credentials, string? Problem)> credentials = new();

    sealed record CachedToken(string Value, DateTimeOffset ExpiresAt);

    /// <summary>Why a host's credentials could not be used (e.g. a credential helper), for the unauthorized message.</summary>
    public string? CredentialProblem(string host) => CredentialsFor(host).Problem;

    /// <summary>Whether credentials for the host were found (so a 401 means they were refused).</summary>
    public bool HasCredentials(string host) => CredentialsFor(host).Credentials is not null;

    /// <summary>Adds the Authorization header a host asked for before, if it asked.</summary>
    public async ValueTask AuthorizeAsync(HttpRequestMessage request, string host, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        if (!challenges.TryGetValue(host, out var challenge)) return;
        if (challenge.IsBasic)
        {
            if (CredentialsFor(host).Credentials is { } basic) request.Headers.Authorization = BasicHeader(basic);
        }
        else if (challenge.IsBearer)
        {
            var token = await TokenAsync(challenge, host, scopes, cancellationToken).ConfigureAwait(false);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    /// <summary>
    /// Takes in a 401's challenge. Returns whether the request is worth one more try with the authorization that
    /// challenge calls for (false when there is nothing new to offer).
    /// </summary>
    public bool OnUnauthorized(HttpResponseMessage response, string host, IReadOnlyList<string> scopes)
    {
        var challenge = response.Headers.WwwAuthenticate
            .Select(header => AuthChallenge.Parse(header.Scheme, header.Parameter))
            .OrderByDescending(c => c.IsBearer)
            .FirstOrDefault(c => c.IsBearer || c.IsBasic);
        if (challenge is null) return false;
        challenges[host] = challenge;
        if (challenge.IsBasic)
        {
            // Basic credentials that were sent and refused will not do better a second time.
            var sentBasic = response.RequestMessage?.Headers.Authorization?.Scheme == "Basic";
            return !sentBasic && CredentialsFor(host).Credentials is not null;
        }
        // A token the registry refused (expired early, revoked) is fetched afresh; one that a concurrent request has
        // just fetched, while this one went out without it, is kept.
        var sent = response.RequestMessage?.Headers.Authorization;
        var key = TokenKey(challenge, host, EffectiveScopes(challenge, scopes));
        if (sent?.Scheme == "Bearer" && tokens.TryGetValue(key, out var cached)
            && cached.IsValueCreated && cached.Value.IsCompletedSuccessfully && cached.Value.Result.Value == sent.Parameter)
            tokens.TryRemove(new KeyValuePair<string, Lazy<Task<CachedToken>>>(key, cached));
        return true;
    }

    async Task<string> TokenAsync(AuthChallenge challenge, string host, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        var effective = EffectiveScopes(challenge, scopes);
        var key = TokenKey(challenge, host, effective);
        while (true)
        {
            // One fetch per key however many transfers wait for it; it is not tied to the first waiter's token (another
            // waiter may outlive it) but bounded by a timeout of its own.
            var lazy = tokens.GetOrAdd(key, _ => new Lazy<Task<CachedToken>>(() => FetchTokenAsync(challenge, host, effective)));
            CachedToken token;
            try
            {
                token = await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch
            {
                tokens.TryRemove(new KeyValuePair<string, Lazy<Task<CachedToken>>>(key, lazy));
                throw;
            }
            if (token.ExpiresAt > DateTimeOffset.UtcNow) return token.Value;
            tokens.TryRemove(new KeyValuePair<string, Lazy<Task<CachedToken>>>(key, lazy));
        }
    }

    async Task<CachedToken> FetchTokenAsync(AuthChallenge challenge, string host, IReadOnlyList<string> scopes)
    {
        using var timeout = new CancellationTokenSource(TokenTimeout);
        var cancellationToken = timeout.Token;
        if (challenge.Realm is null || !Uri.TryCreate(challenge.Realm, UriKind.Absolute, out var realm))
            throw new RegistryException($"{host} asked for a token but named no valid realm in its challenge (\"{challenge.Realm}\")", "UNAUTHORIZED");
        var found = CredentialsFor(host).Credentials;

        for (var attempt = 0; ; attempt++)
        {
            using var request = TokenRequest(realm, challenge.Service, scopes, found);
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (attempt < retry.MaxRetries && RetryPolicy.IsTransient(e, cancellationToken))
            {
                await retry.DelayAsync(attempt, cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (HttpRequestException e)
            {
                throw new RegistryException($"could not reach the token server {realm.GetLeftPart(UriPartial.Path)} for {host}: {e.Message}", inner: e);
            }

            using (response)
            {
                if (RetryPolicy.IsTransient(response.StatusCode) && attempt < retry.MaxRetries)
                {
                    await retry.DelayAsync(attempt, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                {
                    var who = found is null ? "anonymous access" : $"the credentials of \"{found.Username}\"";
                    throw new RegistryException($"unauthorized: the token server for {host} refused {who}; run 'ashlar login {host}'",
                        "UNAUTHORIZED", response.StatusCode);
                }
                if (!response.IsSuccessStatusCode)
                    throw new RegistryException($"the token server for {host} answered {(int)response.StatusCode} {response.ReasonPhrase}",
                        statusCode: response.StatusCode);

                TokenResponse? body;
                try
                {
                    body = await response.Content.ReadFromJsonAsync(RegistryJsonContext.Default.TokenResponse, cancellationToken).ConfigureAwait(false);
                }
                catch (System.Text.Json.JsonException e)
                {
                    throw new RegistryException($"the token server for {host} sent a malformed answer: {e.Message}", inner: e);
                }
                var token = body?.Token is { Length: > 0 } t ? t : body?.AccessToken;
                if (string.IsNullOrEmpty(token))
                    throw new RegistryException($"the token server for {host} sent no token");
                // The spec's floor: a token without a (sensible) lifetime is good for 60 seconds.
                var lifetime = TimeSpan.FromSeconds(Math.Max(body!.ExpiresIn ?? 60, 60));
                return new CachedToken(token, DateTimeOffset.UtcNow + lifetime - ExpiryMargin);
            }
        }
    }

    static HttpRequestMessage TokenRequest(Uri realm, string? service, IReadOnlyList<string> scopes, RegistryCredentials? found)
    {
        if (found?.IdentityToken is { } refreshToken)
        {
            // docker login may keep an OAuth2 refresh token instead of a password; trade it for an access token.
            var form = new List<KeyValuePair<string, string>>
            {
                new("grant_type", "refresh_token"), new("refresh_token", refreshToken), new("client_id", "ashlar"),
            };
            if (service is not null) form.Add(new("service", service));
            if (scopes.Count > 0) form.Add(new("scope", string.Join(' ', scopes)));
            return new HttpRequestMessage(HttpMethod.Post, realm) { Content = new FormUrlEncodedContent(form) };
        }

        var query = new StringBuilder(realm.Query.TrimStart('?'));
        void Add(string name, string value)
        {
            if (query.Length > 0) query.Append('&');
            query.Append(name).Append('=').Append(Uri.EscapeDataString(value));
        }
        if (service is not null) Add("service", service);
        foreach (var scope in scopes) Add("scope", scope);
        if (found is not null) Add("account", found.Username);
        var uri = new UriBuilder(realm) { Query = query.ToString() }.Uri;
        var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (found is not null) request.Headers.Authorization = BasicHeader(found);
        return request;
    }

    /// <summary>Our scopes, or the challenge's own when a request (a ping) names none.</summary>
    static IReadOnlyList<string> EffectiveScopes(AuthChallenge challenge, IReadOnlyList<string> scopes) =>
        scopes.Count > 0 ? scopes : challenge.Scope is { } scope ? scope.Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];

    static string TokenKey(AuthChallenge challenge, string host, IReadOnlyList<string> scopes) =>
        $"{host}|{challenge.Realm}|{challenge.Service}|{string.Join(' ', scopes.Order(StringComparer.Ordinal))}";

    static AuthenticationHeaderValue BasicHeader(RegistryCredentials found) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{found.Username}:{found.Password}")));

    (RegistryCredentials? Credentials, string? Problem) CredentialsFor(string host) =>
        credentials.GetOrAdd(host, h =>
        {
            try
            {
                return (credentialSource?.Find(h), null);
            }
            catch (RegistryException e)
            {
                // Go on anonymously (public images still pull); the problem is shown if the registry then refuses.
                return (null, e.Message);
            }
        });
}
