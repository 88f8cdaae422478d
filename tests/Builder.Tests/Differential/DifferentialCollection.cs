namespace Ashlar.Builder.Tests.Differential;

/// <summary>The differential tests share one <see cref="DifferentialFixture"/>: one dockerd, one store.</summary>
[CollectionDefinition(Name)]
public sealed class DifferentialCollection : ICollectionFixture<DifferentialFixture>
{
    public const string Name = "Differential (BuildKit vs Ashlar)";
}
