namespace Ashlar.Builder.Tests.Differential;

/// <summary>
/// Each case under Differential/Cases built by BuildKit (a private dockerd, <c>DOCKER_BUILDKIT=1 docker build</c>) and by
/// Ashlar from the same context and base image; the final rootfs and the image config must be the same.
/// </summary>
[Collection(DifferentialCollection.Name)]
public sealed class DifferentialTests(DifferentialFixture fixture)
{
    public static TheoryData<string> Cases => new(DifferentialCase.Names());

    [DifferentialTheory]
    [MemberData(nameof(Cases))]
    public async Task Ashlar_builds_what_BuildKit_builds(string name)
    {
        var result = await fixture.ResultAsync(name);
        Assert.True(result.Ashlar.Error is null, result.Ashlar.Error);
        if (KnownDivergences.NotBuildableByDockerd.ContainsKey(name))
        {
            var expected = File.ReadAllLines(Path.Combine(DifferentialCase.CasesDirectory, name, "expected.txt"));
            Assert.Equal(expected, ExpectedListing.Of(result.Ashlar.Image!));
            return;
        }
        Assert.True(result.BuildKit.Error is null, $"BuildKit could not build case {name}: {result.BuildKit.Error}");

        var differences = ImageComparison.Differences(result.BuildKit.Image!, result.Ashlar.Image!, fixture.BuildsStarted);
        if (KnownDivergences.Cases.TryGetValue(name, out var known))
            Assert.True(differences.Count > 0, $"case {name} now matches BuildKit: delete it from KnownDivergences.Cases (it said: {known})");
        else
            Assert.True(differences.Count == 0, $"case {name} differs from BuildKit:\n  " + string.Join("\n  ", differences));
    }
}
