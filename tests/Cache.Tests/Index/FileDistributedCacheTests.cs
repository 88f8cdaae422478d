using Ashlar.Cache.Index;
using Microsoft.Extensions.Caching.Distributed;

namespace Ashlar.Cache.Tests.Index;

public sealed class FileDistributedCacheTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();
    private readonly ManualClock _clock = new(Start);

    public void Dispose() => _dir.Dispose();

    private FileDistributedCache Open() => new(Path.Combine(_dir.Path, "index"), _clock);

    [Fact]
    public async Task A_value_set_is_read_back_replaced_and_removed()
    {
        var cache = Open();
        Assert.Null(await cache.GetAsync("k"));
        await cache.SetAsync("k", [1, 2, 3], new());
        Assert.Equal([1, 2, 3], await cache.GetAsync("k"));
        await cache.SetAsync("k", [4], new());
        Assert.Equal([4], await cache.GetAsync("k"));
        Assert.Equal([4], Open().Get("k")); // persistent: a second instance sees it
        await cache.RemoveAsync("k");
        Assert.Null(await cache.GetAsync("k"));
    }

    [Fact]
    public async Task An_empty_value_is_stored()
    {
        var cache = Open();
        await cache.SetAsync("empty", [], new());
        var empty = await cache.GetAsync("empty");
        Assert.NotNull(empty);
        Assert.Empty(empty);
    }

    [Fact]
    public async Task Key_names_become_hashed_file_names_inside_the_index()
    {
        var cache = Open();
        await cache.SetAsync("../../escape/\0/name", [9], new());
        var files = Directory.GetFiles(cache.Directory, "*", SearchOption.AllDirectories);
        var file = Assert.Single(files);
        var relative = Path.GetRelativePath(cache.Directory, file).Split(Path.DirectorySeparatorChar);
        Assert.Equal(2, relative.Length);
        Assert.Matches("^[0-9a-f]{2}$", relative[0]);
        Assert.Matches("^[0-9a-f]{62}$", relative[1]);
        Assert.Equal([9], await cache.GetAsync("../../escape/\0/name"));
    }

    [Fact]
    public async Task Absolute_expiration_hides_the_entry_once_passed()
    {
        var cache = Open();
        await cache.SetAsync("abs", [1], new DistributedCacheEntryOptions { AbsoluteExpiration = Start.AddHours(1) });
        await cache.SetAsync("rel", [2], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(30) });
        _clock.Advance(TimeSpan.FromMinutes(29));
        Assert.NotNull(await cache.GetAsync("abs"));
        Assert.NotNull(await cache.GetAsync("rel"));
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.NotNull(await cache.GetAsync("abs"));
        Assert.Null(await cache.GetAsync("rel"));
        _clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Null(await cache.GetAsync("abs"));
    }

    [Fact]
    public async Task An_absolute_expiration_in_the_past_is_refused()
    {
        var cache = Open();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            cache.SetAsync("k", [1], new DistributedCacheEntryOptions { AbsoluteExpiration = Start.AddSeconds(-1) }));
        Assert.Null(await cache.GetAsync("k"));
    }

    [Fact]
    public async Task Sliding_expiration_is_extended_by_get_and_refresh_but_not_past_the_absolute_one()
    {
        var cache = Open();
        await cache.SetAsync("k", [1], new DistributedCacheEntryOptions
        {
            SlidingExpiration = TimeSpan.FromMinutes(10),
            AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(25),
        });
        _clock.Advance(TimeSpan.FromMinutes(9));
        await cache.RefreshAsync("k");
        _clock.Advance(TimeSpan.FromMinutes(9));
        Assert.NotNull(await cache.GetAsync("k")); // 18 min after set, 9 after the refresh
        _clock.Advance(TimeSpan.FromMinutes(6));
        Assert.NotNull(await cache.GetAsync("k")); // 24 min: still within both
        _clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Null(await cache.GetAsync("k")); // 26 min: past the absolute expiration despite recent use

        await cache.SetAsync("idle", [1], new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(10) });
        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Null(await cache.GetAsync("idle"));
    }

    [Fact]
    public async Task Refresh_and_get_update_the_last_use()
    {
        var cache = Open();
        await cache.SetAsync("k", [1], new());
        Assert.Equal(Start, cache.LastUse("k"));
        _clock.Advance(TimeSpan.FromHours(1));
        await cache.RefreshAsync("k");
        Assert.Equal(Start.AddHours(1), cache.LastUse("k"));
        _clock.Advance(TimeSpan.FromHours(1));
        await cache.GetAsync("k");
        Assert.Equal(Start.AddHours(2), cache.LastUse("k"));
        Assert.Null(cache.LastUse("missing"));
        await cache.RefreshAsync("missing"); // no entry: nothing to do, no error
    }

    [Fact]
    public async Task Opening_collects_temporary_files_of_dead_writers_only()
    {
        var cache = Open();
        await cache.SetAsync("k", [1], new());
        var fanOut = Path.GetDirectoryName(cache.EntryPath("k"))!;
        var old = DateTime.UtcNow - FileDistributedCache.TempGracePeriod - TimeSpan.FromMinutes(1);

        // A writer killed mid-write: a half-written, unlocked temporary file.
        var dead = Path.Combine(fanOut, FileDistributedCache.TempPrefix + "dead");
        await File.WriteAllBytesAsync(dead, [0x41, 0x53]);
        File.SetLastWriteTimeUtc(dead, old);
        // A live writer (holding its lock) that has been slow.
        var live = Path.Combine(fanOut, FileDistributedCache.TempPrefix + "live");
        using var held = new FileStream(live, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        File.SetLastWriteTimeUtc(live, old);
        // A writer that has just created its file (may not hold its lock yet).
        var fresh = Path.Combine(fanOut, FileDistributedCache.TempPrefix + "fresh");
        await File.WriteAllBytesAsync(fresh, [1]);

        var reopened = Open();
        Assert.False(File.Exists(dead));
        Assert.True(File.Exists(live));
        Assert.True(File.Exists(fresh));
        Assert.Equal([1], await reopened.GetAsync("k"));
    }

    [Fact]
    public async Task Collecting_expired_entries_deletes_only_those()
    {
        var cache = Open();
        await cache.SetAsync("expiring", [1], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(5) });
        await cache.SetAsync("idle", [2], new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(5) });
        await cache.SetAsync("kept", [3], new());
        await cache.SetAsync("used", [4], new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(5) });
        _clock.Advance(TimeSpan.FromMinutes(4));
        await cache.RefreshAsync("used");
        _clock.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(2, cache.CollectExpired());
        Assert.False(File.Exists(cache.EntryPath("expiring")));
        Assert.False(File.Exists(cache.EntryPath("idle")));
        Assert.Equal([3], await cache.GetAsync("kept"));
        Assert.Equal([4], await cache.GetAsync("used"));
        Assert.Empty(Directory.GetFiles(cache.Directory, FileDistributedCache.TempPrefix + "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Entries_lists_keys_with_last_use_and_expiry()
    {
        var cache = Open();
        await cache.SetAsync("record/a", [1, 2], new());
        await cache.SetAsync("children/b", [3], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1) });
        _clock.Advance(TimeSpan.FromMinutes(2));
        await cache.RefreshAsync("record/a");

        var entries = cache.Entries().OrderBy(e => e.Key, StringComparer.Ordinal).ToList();
        Assert.Equal(["children/b", "record/a"], entries.Select(e => e.Key));
        Assert.True(entries[0].Expired);
        Assert.False(entries[1].Expired);
        Assert.Equal(Start.AddMinutes(2), entries[1].LastUse);
        Assert.Equal(new FileInfo(cache.EntryPath("record/a")).Length, entries[1].Size);
    }

    [Fact]
    public async Task An_entry_file_holding_another_key_is_a_miss()
    {
        // What a sha256 collision of two keys' file names would look like: never serve the other key's value.
        var cache = Open();
        await cache.SetAsync("other", [7], new());
        Directory.CreateDirectory(Path.GetDirectoryName(cache.EntryPath("wanted"))!);
        File.Copy(cache.EntryPath("other"), cache.EntryPath("wanted"));
        Assert.Null(await cache.GetAsync("wanted"));
    }

    [Fact]
    public async Task A_damaged_entry_is_reported_with_its_file()
    {
        var cache = Open();
        await cache.SetAsync("k", new byte[100], new());
        var path = cache.EntryPath("k");
        using (var stream = new FileStream(path, FileMode.Open)) stream.SetLength(50);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => cache.GetAsync("k"));
        Assert.Contains(path, error.Message);
    }
}
