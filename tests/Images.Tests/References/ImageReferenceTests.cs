using Ashlar.Images.References;

namespace Ashlar.Images.Tests.References;

public class ImageReferenceTests
{
    [Theory]
    [InlineData("busybox", "docker.io/library/busybox:latest", "busybox:latest")]
    [InlineData("busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36")]
    [InlineData("library/busybox", "docker.io/library/busybox:latest", "busybox:latest")]
    [InlineData("docker.io/busybox", "docker.io/library/busybox:latest", "busybox:latest")]
    [InlineData("index.docker.io/library/busybox", "docker.io/library/busybox:latest", "busybox:latest")]
    [InlineData("user/app", "docker.io/user/app:latest", "user/app:latest")]
    [InlineData("user/app/sub:v1", "docker.io/user/app/sub:v1", "user/app/sub:v1")]
    [InlineData("localhost/app", "localhost/app:latest", "localhost/app:latest")]
    [InlineData("localhost:5000/app:1", "localhost:5000/app:1", "localhost:5000/app:1")]
    [InlineData("127.0.0.1:5000/a/b:c", "127.0.0.1:5000/a/b:c", "127.0.0.1:5000/a/b:c")]
    [InlineData("quay.io/coreos/etcd:v3.5", "quay.io/coreos/etcd:v3.5", "quay.io/coreos/etcd:v3.5")]
    [InlineData("Registry.Example.com/app", "Registry.Example.com/app:latest", "Registry.Example.com/app:latest")]
    [InlineData("[::1]:5000/app", "[::1]:5000/app:latest", "[::1]:5000/app:latest")]
    [InlineData("a__b/c-d.e_f:T_a.g-1", "docker.io/a__b/c-d.e_f:T_a.g-1", "a__b/c-d.e_f:T_a.g-1")]
    [InlineData("busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "docker.io/library/busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("busybox:1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "docker.io/library/busybox:1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "busybox:1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Normalises_like_docker(string text, string full, string familiar)
    {
        var reference = ImageReference.Parse(text);
        Assert.Equal(full, reference.ToString());
        Assert.Equal(familiar, reference.Familiar);
        Assert.Equal(reference, ImageReference.Parse(reference.ToString()));
    }

    [Theory]
    [InlineData("", "at least one component")]
    [InlineData("Busybox", "must be lowercase")]
    [InlineData("user/App", "must be lowercase")]
    [InlineData("localhost:5000/App", "must be lowercase")]
    [InlineData("busybox:", "invalid reference format")]
    [InlineData("busybox:-tag", "invalid tag")]
    [InlineData("busybox@sha256:abc", "invalid reference format")]
    [InlineData("busybox@sha256:zz23456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "invalid reference format")]
    [InlineData("busybox@md5:0123456789abcdef0123456789abcdef", "invalid digest")]
    [InlineData("https://registry/app", "scheme")]
    [InlineData("a//b", "invalid reference format")]
    [InlineData("-leading/app", "invalid reference format")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "64-byte hexadecimal")]
    [InlineData("app:has space", "invalid reference format")]
    public void Refuses_what_docker_refuses(string text, string reason)
    {
        var error = Assert.Throws<InvalidReferenceException>(() => ImageReference.Parse(text));
        Assert.Contains(reason, error.Message);
        Assert.Contains($"\"{text}\"", error.Message);
    }

    [Fact]
    public void A_name_longer_than_255_is_refused()
    {
        var error = Assert.Throws<InvalidReferenceException>(() => ImageReference.Parse("example.com/" + new string('a', 250)));
        Assert.Contains("255", error.Message);
    }

    [Fact]
    public void Parts_are_exposed()
    {
        var reference = ImageReference.Parse("localhost:5000/team/app:v2");
        Assert.Equal("localhost:5000", reference.Domain);
        Assert.Equal("team/app", reference.Path);
        Assert.Equal("v2", reference.Tag);
        Assert.Null(reference.Digest);
        Assert.Equal("localhost:5000/team/app", reference.FamiliarName);
    }

    [Fact]
    public void Without_default_tag_stays_a_bare_name()
    {
        var reference = ImageReference.ParseNormalized("busybox", addDefaultTag: false);
        Assert.Null(reference.Tag);
        Assert.Equal("docker.io/library/busybox", reference.ToString());
    }
}
