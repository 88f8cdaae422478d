using Ashlar.Cache.Remote;

namespace Ashlar.Cache.Tests.Remote;

public class CacheIndexAddressTests
{
    [Theory]
    [InlineData("redis://127.0.0.1:6379", "127.0.0.1", 6379, 0)]
    [InlineData("redis://cache.lan", "cache.lan", 6379, 0)]
    [InlineData("redis://cache.lan:7000/3", "cache.lan", 7000, 3)]
    public void Parses_host_port_and_database(string text, string host, int port, int database)
    {
        var address = CacheIndexAddress.Parse(text);

        Assert.Equal((host, port, database), (address.Host, address.Port, address.Database));
    }

    [Fact]
    public void Keeps_the_password_out_of_its_display()
    {
        var address = CacheIndexAddress.Parse("redis://:s3cret@cache.lan:6380/2");

        Assert.Equal("s3cret", address.Password);
        Assert.Equal("redis://cache.lan:6380/2", address.ToString());
    }

    [Theory]
    [InlineData("127.0.0.1:6379", "expected redis://")]
    [InlineData("http://127.0.0.1:6379", "expected redis://")]
    [InlineData("redis://127.0.0.1:6379/x", "the database \"x\"")]
    [InlineData("redis://127.0.0.1:6379/99", "the database \"99\"")]
    public void Refuses_what_is_not_a_redis_address_saying_why(string text, string why)
    {
        var error = Assert.Throws<FormatException>(() => CacheIndexAddress.Parse(text));

        Assert.Contains(text, error.Message);
        Assert.Contains(why, error.Message);
    }
}
