using Ashlar.Images.Registry.Auth;

namespace Ashlar.Images.Tests.Registry;

public sealed class AuthChallengeTests
{
    [Fact]
    public void ReadsRealmServiceAndAScopeWithCommasInQuotes()
    {
        var challenge = AuthChallenge.Parse("Bearer",
            "realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/busybox:pull,push\"");

        Assert.True(challenge.IsBearer);
        Assert.Equal("https://auth.docker.io/token", challenge.Realm);
        Assert.Equal("registry.docker.io", challenge.Service);
        Assert.Equal("repository:library/busybox:pull,push", challenge.Scope);
    }

    [Fact]
    public void ToleratesUnquotedValuesSpacesEscapesAndExtraParameters()
    {
        var challenge = AuthChallenge.Parse("Bearer",
            " realm=http://127.0.0.1:9/token , service=\"a \\\"quoted\\\" name\", error=\"insufficient_scope\"");

        Assert.Equal("http://127.0.0.1:9/token", challenge.Realm);
        Assert.Equal("a \"quoted\" name", challenge.Service);
        Assert.Equal("insufficient_scope", challenge.Parameters["error"]);
        Assert.Null(challenge.Scope);
    }

    [Fact]
    public void BasicNeedsNoParameters()
    {
        var challenge = AuthChallenge.Parse("basic", "realm=\"Registry Realm\"");

        Assert.True(challenge.IsBasic);
        Assert.Equal("Registry Realm", challenge.Realm);
        Assert.Empty(AuthChallenge.Parse("Basic", null).Parameters);
    }
}
