using System.CommandLine;
using Ashlar.Cache.Remote;

namespace Ashlar.Cli.Commands;

/// <summary><c>ashlar build</c>'s shared cache flags: <c>--cache-to</c>, <c>--cache-from</c> and <c>--cache-index</c>.</summary>
internal sealed class CacheOptions
{
    private readonly Option<string[]> _to = new("--cache-to")
    {
        Description = "Export the build cache: type=registry,ref=REF[,mode=min|max], type=local,dest=DIR[,mode=min|max] or type=inline; repeatable",
    };

    private readonly Option<string[]> _from = new("--cache-from")
    {
        Description = "Import a build cache: type=registry,ref=REF (a cache or an image with an inline cache) or type=local,src=DIR; repeatable",
    };

    private readonly Option<string?> _index = new("--cache-index")
    {
        Description = $"A cache index many runners share, e.g. redis://127.0.0.1:6379 (default: ${CacheIndexAddress.EnvironmentVariable})",
    };

    /// <summary>The options, to add to the command.</summary>
    public IEnumerable<Option> All => [_to, _from, _index];

    /// <summary>What the flags (and <c>ASHLAR_CACHE_INDEX</c>) ask for; a <see cref="FormatException"/> says what is wrong.</summary>
    public SharedCache Parse(ParseResult parse)
    {
        var index = parse.GetValue(_index) ?? Environment.GetEnvironmentVariable(CacheIndexAddress.EnvironmentVariable);
        return new SharedCache(
            (parse.GetValue(_to) ?? []).Select(t => CacheSpec.Parse(t, "--cache-to")).ToList(),
            (parse.GetValue(_from) ?? []).Select(f => CacheSpec.Parse(f, "--cache-from")).ToList(),
            string.IsNullOrWhiteSpace(index) ? null : CacheIndexAddress.Parse(index.Trim()));
    }
}
