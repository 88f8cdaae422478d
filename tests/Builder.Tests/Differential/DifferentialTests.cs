using System.Text.RegularExpressions;

namespace Ashlar.Builder.Tests.Differential;

/// <summary>
/// Each case under Differential/Cases built by BuildKit (a private dockerd, <c>DOCKER_BUILDKIT=1 docker build</c>) and by
/// Ashlar from the same context and base image; the final rootfs and the image config must be the same.
/// </summary>
[Collection(DifferentialCollection.Name)]
public sealed class DifferentialTests(DifferentialFixture fixture)
{
    public static TheoryData<string> Cases => new(DifferentialCase.Names());

    // Where a RUN of the case mounts something: /dev, /proc, /sys always, and every --mount target.
    private static HashSet<string> MountPoints(string name)
    {
        var dockerfile = File.ReadAllText(Path.Combine(DifferentialCase.CasesDirectory, name, "Dockerfile"));
        var targets = Regex.Matches(dockerfile, @"\b(?:target|dst|destination)=(/[^,\s]*)").Select(m => m.Groups[1].Value.TrimEnd('/'));
        return ["/dev", "/proc", "/sys", .. targets];
    }

    [DifferentialTheory]
    [MemberData(nameof(Cases))]
    public async Task Ashlar_builds_what_BuildKit_builds(string name)
    {
        var result = await fixture.ResultAsync(name);
        Assert.True(result.Ashlar.Error is null, result.Ashlar.Error);
        List<string> differences;
        if (KnownDivergences.NotBuildableByDockerd.ContainsKey(name))
        {
            var path = Path.Combine(DifferentialCase.CasesDirectory, name, DifferentialCase.ExpectedFile);
            var actual = ExpectedListing.Of(result.Ashlar.Image!);
            Assert.True(File.Exists(path), $"case {name} has no expected.txt; Ashlar made:\n" + string.Join('\n', actual));
            var expected = File.ReadAllLines(path);
            differences = [.. expected.Except(actual).Select(l => "expected: " + l), .. actual.Except(expected).Select(l => "Ashlar:   " + l)];
        }
        else
        {
            Assert.True(result.BuildKit.Error is null, $"BuildKit could not build case {name}: {result.BuildKit.Error}");
            differences = ImageComparison.Differences(result.BuildKit.Image!, result.Ashlar.Image!, fixture.BuildsStarted, MountPoints(name));
        }

        if (KnownDivergences.Cases.TryGetValue(name, out var known))
            Assert.True(differences.Count > 0, $"case {name} now matches BuildKit: delete it from KnownDivergences.Cases (it said: {known})");
        else
            Assert.True(differences.Count == 0, $"case {name} differs from BuildKit:\n  " + string.Join("\n  ", differences));
    }
}
