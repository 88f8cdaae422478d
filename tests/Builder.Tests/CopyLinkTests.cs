using System.Formats.Tar;
using Ashlar.Builder.Tests.Support;
using Ashlar.Images.Compression;

namespace Ashlar.Builder.Tests;

/// <summary>
/// <c>COPY --link</c>: the copy is a layer of its own, made on an empty directory and stacked on the stage, as BuildKit
/// copies onto scratch and merges. Expected results follow BuildKit's dockerfile frontend (convert_copy.go).
/// </summary>
public sealed class CopyLinkTests(BuildFixture fixture) : IClassFixture<BuildFixture>
{
    [Fact]
    public async Task Linked_layer_holds_the_file_and_its_new_parents_owned_by_chown_and_a_later_run_sees_it()
    {
        var context = fixture.Context(("app.conf", "setting=1\n"));
        var request = fixture.Request("""
            FROM busybox
            COPY --link --chown=1000:2000 app.conf /opt/app/
            RUN cat /opt/app/app.conf > /seen && stat -c '%u:%g %a' /opt/app/app.conf /opt >> /seen
            """, context);
        var built = await fixture.BuildAsync(request);

        var entries = await EntriesAsync(built.Image.Manifest.Layers[1].Digest);
        Assert.Equal(["opt/ 1000:2000 755", "opt/app/ 1000:2000 755", "opt/app/app.conf 1000:2000 644"], entries);
        var files = await fixture.FilesAsync(request);
        Assert.Equal("setting=1\n1000:2000 644\n1000:2000 755\n", File.ReadAllText(Path.Combine(files, "seen")));
    }

    [Fact]
    public async Task Link_layer_holds_only_the_copied_files_and_their_parents()
    {
        var context = fixture.Context(("a.txt", "a"), ("sub/b.txt", "b"));
        var built = await fixture.BuildAsync("""
            FROM busybox
            RUN mkdir -p /opt/lower && echo below > /opt/lower/file
            COPY --link a.txt sub /opt/app/
            """, context);

        Assert.Equal(3, built.Image.Manifest.Layers.Count);
        Assert.Equal("COPY a.txt sub /opt/app/ # buildkit", built.Image.Config.History![^1].CreatedBy);
        var entries = await EntriesAsync(built.Image.Manifest.Layers[^1].Digest);
        Assert.Equal(["opt/", "opt/app/", "opt/app/a.txt", "opt/app/b.txt"], entries.Select(e => e.Split(' ')[0]));
    }

    [Fact]
    public async Task Link_does_not_follow_a_symlink_of_a_lower_layer_and_an_ordinary_copy_does()
    {
        var context = fixture.Context(("f", "linked"), ("g", "plain"));
        var files = await fixture.FilesAsync(fixture.Request("""
            FROM busybox
            RUN mkdir /target && ln -s /target /plain && ln -s /target /linked
            COPY g /plain/g
            COPY --link f /linked/f
            RUN ls /target > /target-list && test -d /linked && ! test -L /linked && cat /linked/f > /seen
            """, context));

        // The ordinary COPY wrote through the symlink into /target; the linked one made /linked a directory.
        Assert.Equal("g\n", File.ReadAllText(Path.Combine(files, "target-list")));
        Assert.Equal("linked", File.ReadAllText(Path.Combine(files, "seen")));
    }

    [Fact]
    public async Task Link_with_chmod_is_an_ordinary_copy_as_in_buildkit()
    {
        var context = fixture.Context(("f", "x"));
        var files = await fixture.FilesAsync(fixture.Request("""
            FROM busybox
            RUN mkdir /target && ln -s /target /l
            COPY --link --chmod=600 f /l/f
            RUN stat -c '%a' /target/f > /seen && test -L /l
            """, context));

        Assert.Equal("600\n", File.ReadAllText(Path.Combine(files, "seen")));
    }

    [Fact]
    public async Task Linked_copy_from_a_stage_onto_scratch()
    {
        var files = await fixture.FilesAsync(fixture.Request("""
            FROM busybox AS build
            RUN echo built > /artifact
            FROM scratch
            COPY --link --from=build /artifact /out/artifact
            """));

        Assert.Equal("built\n", File.ReadAllText(Path.Combine(files, "out/artifact")));
    }

    [Fact]
    public async Task Link_with_a_chown_name_is_a_clear_error_and_root_or_numbers_work()
    {
        var context = fixture.Context(("f", "x"));
        var error = await Assert.ThrowsAsync<BuildException>(() => fixture.BuildAsync("""
            FROM busybox
            COPY --link --chown=app f /f
            """, context));
        Assert.Contains("--chown=app can't be used with --link", error.Message);
        Assert.Equal(2, error.Line);

        var built = await fixture.BuildAsync("""
            FROM busybox
            COPY --link --chown=root:7 f /f
            """, context);
        Assert.Equal(["f 0:7 644"], await EntriesAsync(built.Image.Manifest.Layers[^1].Digest));
    }

    [Fact]
    public async Task History_names_the_flags_that_shape_the_files_but_not_from()
    {
        var built = await fixture.BuildAsync("""
            FROM busybox AS build
            RUN echo built > /artifact
            FROM busybox
            COPY --link --from=build --chown=1000 --chmod=600 /artifact /out/
            """);

        Assert.Equal("COPY --chown=1000 --chmod=600 /artifact /out/ # buildkit", built.Image.Config.History![^1].CreatedBy);
    }

    private async Task<List<string>> EntriesAsync(Ashlar.Images.Content.Digest layer)
    {
        await using var blob = fixture.Store.Content.OpenRead(layer);
        var (tar, _) = await LayerCodec.OpenDecompressedAsync(blob);
        await using (tar)
        {
            using var reader = new TarReader(tar);
            var names = new List<string>();
            while (await reader.GetNextEntryAsync() is { } entry)
                names.Add($"{entry.Name.TrimStart('.', '/')} {entry.Uid}:{entry.Gid} {Convert.ToString((int)entry.Mode, 8)}");
            return names.Order(StringComparer.Ordinal).ToList();
        }
    }
}
