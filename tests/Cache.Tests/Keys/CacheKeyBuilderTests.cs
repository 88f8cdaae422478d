using Ashlar.Cache.Keys;
using Ashlar.Images.Content;

namespace Ashlar.Cache.Tests.Keys;

public sealed class CacheKeyBuilderTests
{
    private static readonly CacheKey Base = CacheKey.ForBaseImage(Digest.Sha256("manifest"u8));
    private static readonly CacheSecretKey Secrets = CacheSecretKey.LoadOrCreate(Directory.CreateTempSubdirectory("ashlar-cache-").FullName);

    private static CacheKeyBuilder Step(CacheKey? parent = null, string kind = "exec", string definition = "{\"args\":[\"make\"]}") =>
        new(parent ?? Base, kind, definition, Secrets);

    private static CacheKeyBuilder Full() => Step()
        .AddFile("src/a.txt", Digest.Sha256("a"u8))
        .AddBuildArg("VERSION", "1")
        .AddEnv("PATH", "/bin")
        .Add(CacheInputKind.User, "", "root")
        .Add(CacheInputKind.WorkDir, "", "/src")
        .Add(CacheInputKind.Shell, "", "/bin/sh -c")
        .Add(CacheInputKind.Network, "", "default")
        .Add(CacheInputKind.Mount, "/root/.cache", "type=cache,id=go")
        .Add(CacheInputKind.Platform, "", "linux/amd64")
        .Add(CacheInputKind.Stage, "builder", Digest.Sha256("stage"u8))
        .AddSecret("token", "s3cret"u8);

    [Fact]
    public void The_same_inputs_give_the_same_key() => Assert.Equal(Full().Build().Key, Full().Build().Key);

    public static TheoryData<string> Changes => new()
    {
        "parent", "kind", "definition", "file", "arg", "env", "user", "workdir", "shell", "network", "mount", "platform", "stage",
        "secret-content", "secret-id", "extra-input",
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void Every_input_changes_the_key(string change)
    {
        var changed = change switch
        {
            "parent" => Rebuild(parent: CacheKey.Scratch),
            "kind" => Rebuild(kind: "file"),
            "definition" => Rebuild(definition: "{\"args\":[\"make\",\"all\"]}"),
            "file" => Rebuild(file: Digest.Sha256("A"u8)),
            "arg" => Rebuild(arg: "2"),
            "env" => Rebuild(env: "/usr/bin"),
            "user" => Rebuild(user: "nobody"),
            "workdir" => Rebuild(workdir: "/"),
            "shell" => Rebuild(shell: "/bin/bash -c"),
            "network" => Rebuild(network: "none"),
            "mount" => Rebuild(mount: "type=cache,id=npm"),
            "platform" => Rebuild(platform: "linux/arm64"),
            "stage" => Rebuild(stage: Digest.Sha256("other"u8)),
            "secret-content" => Rebuild(secret: "s3cret!"u8.ToArray()),
            "secret-id" => Rebuild(secretId: "token2"),
            "extra-input" => Rebuild(extra: true),
            _ => throw new ArgumentOutOfRangeException(change),
        };
        Assert.NotEqual(Full().Build().Key, changed);
    }

    private static CacheKey Rebuild(
        CacheKey? parent = null, string kind = "exec", string definition = "{\"args\":[\"make\"]}", Digest? file = null,
        string arg = "1", string env = "/bin", string user = "root", string workdir = "/src", string shell = "/bin/sh -c",
        string network = "default", string mount = "type=cache,id=go", string platform = "linux/amd64", Digest? stage = null,
        byte[]? secret = null, string secretId = "token", bool extra = false)
    {
        var builder = Step(parent, kind, definition)
            .AddFile("src/a.txt", file ?? Digest.Sha256("a"u8))
            .AddBuildArg("VERSION", arg)
            .AddEnv("PATH", env)
            .Add(CacheInputKind.User, "", user)
            .Add(CacheInputKind.WorkDir, "", workdir)
            .Add(CacheInputKind.Shell, "", shell)
            .Add(CacheInputKind.Network, "", network)
            .Add(CacheInputKind.Mount, "/root/.cache", mount)
            .Add(CacheInputKind.Platform, "", platform)
            .Add(CacheInputKind.Stage, "builder", stage ?? Digest.Sha256("stage"u8))
            .AddSecret(secretId, secret ?? "s3cret"u8.ToArray());
        if (extra) builder.AddFile("src/b.txt", Digest.Sha256("b"u8));
        return builder.Build().Key;
    }

    [Fact]
    public void The_order_inputs_are_added_in_does_not_matter()
    {
        var forward = Step().AddFile("a", Digest.Sha256("1"u8)).AddFile("b", Digest.Sha256("2"u8)).AddBuildArg("X", "1").AddEnv("Y", "2").Build();
        var backward = Step().AddEnv("Y", "2").AddBuildArg("X", "1").AddFile("b", Digest.Sha256("2"u8)).AddFile("a", Digest.Sha256("1"u8)).Build();
        Assert.Equal(forward.Key, backward.Key);
        Assert.Equal(forward.Inputs, backward.Inputs);
        Assert.Equal(["arg:X", "env:Y", "file:a", "file:b"], forward.Inputs.Select(i => i.Id));
    }

    [Fact]
    public void Only_the_build_args_the_builder_passes_count()
    {
        // The contract: the builder passes only the args the step uses, so an unused one (changed or not) is never
        // added and cannot change the key, while a used one does.
        var withoutUnused = Step().AddBuildArg("USED", "1").Build().Key;
        Assert.Equal(withoutUnused, Step().AddBuildArg("USED", "1").Build().Key);
        Assert.NotEqual(withoutUnused, Step().AddBuildArg("USED", "2").Build().Key);
        Assert.NotEqual(withoutUnused, Step().AddBuildArg("USED", "1").AddBuildArg("UNUSED", "x").Build().Key);
    }

    [Fact]
    public void Names_and_values_cannot_be_shifted_into_each_other()
    {
        var a = Step().AddEnv("A", "BC").Build().Key;
        var b = Step().AddEnv("AB", "C").Build().Key;
        Assert.NotEqual(a, b);
        Assert.NotEqual(Step().AddFile("x", Digest.Sha256("1"u8)).Build().Key, Step().Add(CacheInputKind.Mount, "x", Digest.Sha256("1"u8)).Build().Key);
    }

    [Fact]
    public void An_input_added_twice_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => Step().AddBuildArg("X", "1").AddBuildArg("X", "2"));
        Assert.Contains("build arg \"X\"", error.Message);
    }

    [Fact]
    public void Secrets_only_go_in_through_the_hmac()
    {
        Assert.Throws<ArgumentException>(() => Step().Add(CacheInputKind.Secret, "token", "s3cret"));
        Assert.Throws<InvalidOperationException>(() => new CacheKeyBuilder(Base, "exec", "{}").AddSecret("token", "s3cret"u8));
        var sealedValue = Step().AddSecret("token", "s3cret"u8).Build().Inputs.Single().Value;
        Assert.NotEqual(Digest.Sha256("s3cret"u8), sealedValue);
    }
}
