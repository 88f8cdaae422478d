using Ashlar.Builder.Tests.Support;

namespace Ashlar.Builder.Tests;

/// <summary>
/// A directory copied to a destination that does not exist yet is written straight into the step's upper layer
/// (not through the overlay mount): the image must be the same as through the mount, whatever the layers below hold.
/// </summary>
public sealed class CopyIntoNewDirectoryTests(BuildFixture fixture) : IClassFixture<BuildFixture>
{
    [Fact]
    public async Task Files_modes_owners_and_times_are_those_of_an_ordinary_copy()
    {
        var context = fixture.Context(("tree/a.txt", "a\n"), ("tree/sub/b.sh", "#!/bin/sh\n"), ("tree/sub/deeper/c", "c"));
        File.SetUnixFileMode(Path.Combine(context, "tree/sub/b.sh"), (UnixFileMode)Convert.ToInt32("755", 8));
        File.SetLastWriteTimeUtc(Path.Combine(context, "tree/a.txt"), new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc));
        Directory.SetLastWriteTimeUtc(Path.Combine(context, "tree/sub"), new DateTime(2021, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var files = await fixture.FilesAsync(fixture.Request("""
            FROM busybox
            COPY --chown=1000:2000 tree/ /srv/app/
            COPY tree /plain
            RUN stat -c '%n %u:%g %a' /srv > /seen && stat -c '%n %u:%g %a %Y' /srv/app /srv/app/a.txt /srv/app/sub /srv/app/sub/b.sh /plain/sub/deeper/c >> /seen
            """, context));

        Assert.Equal($"""
            /srv 1000:2000 755
            /srv/app 1000:2000 755 {Mtime(context, "tree")}
            /srv/app/a.txt 1000:2000 644 1577934245
            /srv/app/sub 1000:2000 755 1609459200
            /srv/app/sub/b.sh 1000:2000 755 {Mtime(context, "tree/sub/b.sh")}
            /plain/sub/deeper/c 0:0 644 {Mtime(context, "tree/sub/deeper/c")}

            """, File.ReadAllText(Path.Combine(files, "seen")));
    }

    [Fact]
    public async Task A_directory_deleted_below_comes_back_with_only_the_copied_files()
    {
        var context = fixture.Context(("fresh/new.txt", "new\n"));
        var files = await fixture.FilesAsync(fixture.Request("""
            FROM busybox
            RUN mkdir -p /d/old && echo old > /d/old/x && echo top > /d/top
            RUN rm -rf /d
            COPY fresh/ /d/
            RUN find /d | sort > /seen
            """, context));

        Assert.Equal("/d\n/d/new.txt\n", File.ReadAllText(Path.Combine(files, "seen")));
    }

    [Fact]
    public async Task A_new_directory_under_a_symlinked_parent_lands_at_the_link_target()
    {
        var context = fixture.Context(("src/f", "f"));
        var files = await fixture.FilesAsync(fixture.Request("""
            FROM busybox
            RUN mkdir -p /real/lib && ln -s /real /app
            COPY src /app/lib/code
            RUN cat /real/lib/code/f > /seen && test -L /app
            """, context));

        Assert.Equal("f", File.ReadAllText(Path.Combine(files, "seen")));
    }

    private static string Mtime(string root, string path) =>
        new DateTimeOffset(Directory.Exists(Path.Combine(root, path)) ? Directory.GetLastWriteTimeUtc(Path.Combine(root, path)) : File.GetLastWriteTimeUtc(Path.Combine(root, path))).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
}
