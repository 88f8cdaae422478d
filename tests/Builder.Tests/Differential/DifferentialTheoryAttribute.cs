namespace Ashlar.Builder.Tests.Differential;

/// <summary>A theory that is skipped, with the reason, when <see cref="DifferentialFixture.SkipVariable"/> is set.</summary>
public sealed class DifferentialTheoryAttribute : TheoryAttribute
{
    public DifferentialTheoryAttribute()
    {
        if (DifferentialFixture.SkipReason is { } reason) Skip = reason;
    }
}
