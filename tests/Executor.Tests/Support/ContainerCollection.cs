namespace Ashlar.Executor.Tests.Support;

/// <summary>Container tests share one busybox store and run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class ContainerCollection : ICollectionFixture<ContainerFixture>
{
    public const string Name = "containers";
}
