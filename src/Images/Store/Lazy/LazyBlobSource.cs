using System.Text.Json.Serialization;

namespace Ashlar.Images.Store.Lazy;

/// <summary>
/// Where a lazy blob can be fetched: a registry repository (<see cref="Registry"/> and <see cref="Repository"/>, e.g. an
/// imported <c>--cache-from type=registry</c>), or an OCI layout directory (<see cref="Layout"/>, a
/// <c>--cache-from type=local</c>). Exactly one kind is set.
/// </summary>
public sealed record LazyBlobSource
{
    /// <summary>The registry host, e.g. <c>127.0.0.1:5000</c>; null for a layout.</summary>
    [JsonPropertyName("registry")] public string? Registry { get; init; }

    /// <summary>The repository on <see cref="Registry"/>, e.g. <c>team/app-cache</c>.</summary>
    [JsonPropertyName("repository")] public string? Repository { get; init; }

    /// <summary>An OCI layout directory (its <c>blobs/&lt;algorithm&gt;/&lt;hex&gt;</c>); null for a registry.</summary>
    [JsonPropertyName("layout")] public string? Layout { get; init; }

    /// <summary>A registry repository.</summary>
    public static LazyBlobSource InRegistry(string registry, string repository) => new() { Registry = registry, Repository = repository };

    /// <summary>An OCI layout directory.</summary>
    public static LazyBlobSource InLayout(string directory) => new() { Layout = Path.GetFullPath(directory) };

    /// <summary>Whether exactly one kind of source is given.</summary>
    [JsonIgnore] public bool IsValid => Layout is { Length: > 0 } ? Registry is null && Repository is null : Registry is { Length: > 0 } && Repository is { Length: > 0 };

    /// <summary>How messages name it: <c>127.0.0.1:5000/team/app-cache</c> or <c>the layout /srv/cache</c>.</summary>
    public override string ToString() => Layout is not null ? $"the layout {Layout}" : $"{Registry}/{Repository}";
}
