using Ashlar.Cache.Export;
using Ashlar.Cli.Commands;

namespace Ashlar.Cli.Tests.SharedCache;

public class CacheSpecTests
{
    [Fact]
    public void Parses_registry_local_and_inline_as_buildkit_writes_them()
    {
        var registry = CacheSpec.Parse("type=registry,ref=registry.lan:5000/team/app:buildcache,mode=max,cache-mounts=true", "--cache-to");
        var local = CacheSpec.Parse("type=local,src=cache-dir", "--cache-from");
        var shorthand = CacheSpec.Parse("registry.lan/team/app:buildcache", "--cache-from");

        Assert.Equal((CacheSpecType.Registry, "registry.lan:5000/team/app:buildcache", CacheExportMode.Max, true),
            (registry.Type, registry.Reference!.ToString(), registry.Mode, registry.CacheMounts));
        Assert.Equal((CacheSpecType.Local, Path.GetFullPath("cache-dir"), CacheExportMode.Min), (local.Type, local.Directory, local.Mode));
        Assert.Equal("registry.lan/team/app:buildcache", shorthand.Reference!.ToString());
        Assert.Equal(CacheSpecType.Inline, CacheSpec.Parse("type=inline", "--cache-to").Type);
    }

    [Theory]
    [InlineData("type=s3,bucket=x", "--cache-to", "unknown type \"s3\"")]
    [InlineData("type=registry", "--cache-to", "needs ref=")]
    [InlineData("type=local,src=d", "--cache-to", "needs dest=DIRECTORY")]
    [InlineData("type=registry,ref=a/b,mode=all", "--cache-to", "mode must be min or max")]
    [InlineData("type=inline", "--cache-from", "read with type=registry,ref=IMAGE")]
    [InlineData("type=registry,ref=a/b,colour=red", "--cache-to", "unknown field \"colour\"")]
    [InlineData("type=registry,ref=a/b,cache-mounts=true", "--cache-from", "cache-mounts is an export option")]
    public void Says_what_is_wrong_with_a_bad_value(string text, string flag, string why)
    {
        var error = Assert.Throws<FormatException>(() => CacheSpec.Parse(text, flag));

        Assert.Contains($"invalid {flag}", error.Message);
        Assert.Contains(why, error.Message);
    }
}
