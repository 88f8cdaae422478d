using System.Text.Json.Serialization;

namespace Ashlar.Cli.Progress;

/// <summary>
/// One line of <c>--progress rawjson</c>. The field names are a stable interface (documented in README.md): new
/// fields may be added, none is renamed or removed. Absent fields are left out, never written as null.
/// </summary>
internal sealed record RawJsonEvent
{
    /// <summary>started, output, cache-miss, waiting, done, cached, failed, warning; and last, once: result or error.</summary>
    [JsonPropertyName("kind")] public required string Kind { get; init; }

    /// <summary>The step number (BuildKit's <c>#N</c>); absent for build-wide lines.</summary>
    [JsonPropertyName("step")] public int? Step { get; init; }

    /// <summary>The step's name, e.g. <c>[build 2/4] RUN make</c>.</summary>
    [JsonPropertyName("name")] public string? Name { get; init; }

    /// <summary>The output line, warning or error message.</summary>
    [JsonPropertyName("text")] public string? Text { get; init; }

    /// <summary>Seconds since the step started (since the build started for warnings), to the millisecond.</summary>
    [JsonPropertyName("elapsed")] public double? Elapsed { get; init; }

    /// <summary>done, cached, cache-miss: whether the step's result came from the cache.</summary>
    [JsonPropertyName("cached")] public bool? Cached { get; init; }

    /// <summary>cache-miss, done: why the step missed the cache, when the cache says.</summary>
    [JsonPropertyName("reason")] public string? Reason { get; init; }

    /// <summary>result: the image ID (config digest).</summary>
    [JsonPropertyName("image")] public string? Image { get; init; }

    /// <summary>result: the manifest digest.</summary>
    [JsonPropertyName("digest")] public string? Digest { get; init; }

    /// <summary>result: the names the image got.</summary>
    [JsonPropertyName("tags")] public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>error: the Dockerfile (or other input) at fault and the 1-based line, when known.</summary>
    [JsonPropertyName("file")] public string? File { get; init; }

    /// <inheritdoc cref="File"/>
    [JsonPropertyName("line")] public int? Line { get; init; }

    /// <summary>error: a failing RUN's exit code.</summary>
    [JsonPropertyName("exitCode")] public int? ExitCode { get; init; }
}
