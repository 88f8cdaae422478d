using Ashlar.Builder.FileOps;
using Ashlar.Builder.Tests.FileOps.Support;
using Ashlar.Parser.Instructions;
using static Ashlar.Builder.Tests.FileOps.Support.FileOpsSandbox;

namespace Ashlar.Builder.Tests.FileOps;

public sealed class CopyHeredocTests : IDisposable
{
    private readonly FileOpsSandbox _box = new();

    public void Dispose() => _box.Dispose();

    [Fact]
    public async Task A_heredoc_becomes_a_0644_root_file_with_the_given_time()
    {
        var created = new DateTimeOffset(2022, 5, 6, 7, 8, 9, TimeSpan.Zero);

        await _box.CopyAsync(new CopySpec
        {
            Sources = [],
            InlineSources = [new InlineSource("hello.sh", "#!/bin/sh\necho hi\n", true)],
            Destination = "/usr/local/bin/hello",
            CreatedTime = created,
        });

        var st = _box.Stat("/usr/local/bin/hello");
        Assert.Equal(("file", "644", 0u, 0u, created), (st.Type, st.Octal, st.Uid, st.Gid, st.ModifiedTime));
        Assert.Equal("#!/bin/sh\necho hi\n", _box.Read("/usr/local/bin/hello"));
    }

    [Fact]
    public async Task Several_heredocs_go_into_a_directory_under_their_names_with_chmod_and_chown()
    {
        await _box.CopyAsync(new CopySpec
        {
            Sources = [],
            InlineSources = [new InlineSource("one", "1\n", true), new InlineSource("two", "2\n", false)],
            Destination = "/etc/conf.d/",
            Chmod = "755",
            Chown = "app",
        });

        Assert.Equal("1\n", _box.Read("/etc/conf.d/one"));
        var two = _box.Stat("/etc/conf.d/two");
        Assert.Equal(("755", 1000u, 1001u), (two.Octal, two.Uid, two.Gid));
    }

    [Fact]
    public async Task From_copy_expands_variables_only_for_unquoted_heredocs()
    {
        var copy = new CopyInstruction([], [new InlineSource("a", "v=$V\n", true), new InlineSource("b", "v=$V\n", false)], "/h/", null, null, null, false, false, [])
        {
            Range = default,
            Original = "COPY <<a <<\"b\" /h/",
        };
        var spec = CopySpec.FromCopy(copy, s => s.Replace("$V", "42"), "/");

        await _box.CopyAsync(spec);

        Assert.Equal("v=42\n", _box.Read("/h/a"));
        Assert.Equal("v=$V\n", _box.Read("/h/b"));
    }

    [Fact]
    public async Task Heredoc_content_is_part_of_the_source_digest()
    {
        var context = await _box.OpenContextAsync();
        async Task<string> DigestOf(string data)
        {
            var spec = new CopySpec { Sources = [], InlineSources = [new InlineSource("f", data, true)], Destination = "/f" };
            await using var plan = await CopyOperation.PrepareAsync(spec, context);
            return (await plan.ComputeSourceDigestAsync()).ToString();
        }

        Assert.Equal(await DigestOf("a"), await DigestOf("a"));
        Assert.NotEqual(await DigestOf("a"), await DigestOf("b"));
    }
}
