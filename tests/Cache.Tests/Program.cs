using Ashlar.Cache.Index;

namespace Ashlar.Cache.Tests;

/// <summary>
/// Entry point used when a test starts this assembly as a child process:
/// <c>write &lt;index dir&gt; &lt;key&gt; &lt;count&gt; &lt;writer id&gt;</c> writes self-checking values to one key;
/// <c>write-until-killed</c> does so until it is killed (the crash test).
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["write", var directory, var key, var count, var writer])
        {
            var cache = new FileDistributedCache(directory);
            for (var i = 0; i < int.Parse(count); i++)
                await cache.SetAsync(key, CheckedValue.Create(int.Parse(writer), i), new());
            return 0;
        }
        if (args is ["write-until-killed", var dir, var k, var id])
        {
            var cache = new FileDistributedCache(dir);
            for (var i = 0; ; i++)
                await cache.SetAsync(k, CheckedValue.Create(int.Parse(id), i), new());
        }
        await Console.Error.WriteLineAsync("usage: write <index dir> <key> <count> <writer id> | write-until-killed <index dir> <key> <writer id>");
        return 2;
    }
}
