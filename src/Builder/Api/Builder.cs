using System.Globalization;
using Ashlar.Builder.Exporting;
using Ashlar.Builder.Planning;
using Ashlar.Builder.Solving;
using Ashlar.Cache.Index;
using Ashlar.Executor.Snapshots;
using Ashlar.Images.Formats;
using Ashlar.Images.References;
using Ashlar.Images.Registry;
using Ashlar.Images.Store;
using Ashlar.Images.Store.Lazy;
using Ashlar.Parser;

namespace Ashlar.Builder;

/// <summary>Builds Dockerfiles into images, as <c>docker build</c> (BuildKit) does, without a daemon.</summary>
public static class Builder
{
    /// <summary>
    /// Builds <paramref name="request"/>: parses the Dockerfile, plans the stages the target needs, runs them (independent
    /// stages in parallel), writes the image into the store and the requested outputs, and tags and pushes it.
    /// </summary>
    /// <param name="request">What to build.</param>
    /// <param name="progress">Told about each step as it starts, prints and ends (may be null).</param>
    /// <param name="cancellationToken">Stops the build; running steps are killed and nothing is tagged.</param>
    /// <returns>The image's digests and docker's build metadata.</returns>
    /// <exception cref="BuildException">Bad input (with file and line) or a failing step. The store keeps what it had.</exception>
    public static async Task<BuildResult> BuildAsync(BuildRequest request, IProgress<BuildEvent>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var context = Path.GetFullPath(request.ContextDirectory);
        if (!Directory.Exists(context))
            throw new BuildException($"unable to prepare context: path \"{request.ContextDirectory}\" not found") { IsInputError = true };
        var fileName = request.DockerfilePath ?? "Dockerfile";
        string text;
        if (request.DockerfileText is { } given)
        {
            text = given;
        }
        else
        {
            var path = request.DockerfilePath is null ? Path.Combine(context, "Dockerfile") : Path.GetFullPath(request.DockerfilePath);
            if (!File.Exists(path))
                throw new BuildException($"failed to read dockerfile: open {path}: no such file or directory") { IsInputError = true };
            text = await File.ReadAllTextAsync(path, cancellationToken);
        }

        try
        {
            return await BuildParsedAsync(request, context, text, fileName, progress, cancellationToken);
        }
        catch (BuildException e) when (e.File == fileName && e.Line > 0 && e.Excerpt.Count == 0)
        {
            throw e.WithExcerpt(Excerpt(text, e.Line));
        }
    }

    private static async Task<BuildResult> BuildParsedAsync(BuildRequest request, string context, string text, string fileName,
        IProgress<BuildEvent>? progress, CancellationToken cancellationToken)
    {
        foreach (var key in request.BuildArgs.Keys)
            if (key.Length == 0 || key.Any(c => char.IsWhiteSpace(c) || c == '='))
                throw new BuildException($"invalid build argument name \"{key}\": expected NAME=VALUE with a NAME of letters, digits and _") { IsInputError = true };
        Dockerfile dockerfile;
        try
        {
            dockerfile = DockerfileParser.Parse(text, fileName);
        }
        catch (ParseError e)
        {
            throw new BuildException(e.Reason + (e.Hint is null ? "" : "; " + e.Hint), e.File ?? fileName, e.Line, e) { IsInputError = true };
        }

        Platform platform;
        try
        {
            platform = request.Platform is null ? Platform.Current : Platform.Parse(request.Platform);
        }
        catch (FormatException e)
        {
            throw new BuildException(e.Message) { IsInputError = true };
        }
        if (!platform.Matches(Platform.Current))
            throw new BuildException($"--platform={request.Platform}: only {PlatformArgs.Format(Platform.Current)} can be built on this machine (no emulation)") { IsInputError = true };
        platform = Platform.Current;

        var reporter = new StepReporter(progress);
        var syntaxWarning = SyntaxFrontend.Check(dockerfile, request.BuildArgs, request.IgnoreForeignSyntax ?? SyntaxFrontend.IgnoreFromEnvironment());
        if (syntaxWarning is not null) reporter.Warn(syntaxWarning);
        var plan = Planner.Plan(dockerfile, request.BuildArgs, PlatformArgs.For(platform, Platform.Current), request.Target);
        var epoch = request.SourceDateEpoch;
        if (epoch is null && request.BuildArgs.TryGetValue("SOURCE_DATE_EPOCH", out var epochText)
            && long.TryParse(epochText, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            epoch = DateTimeOffset.FromUnixTimeSeconds(seconds);
        request = request with { SourceDateEpoch = epoch };

        var tags = request.Tags.Select(t => ParseTag(t)).ToList();
        var store = ImageStore.Open(request.StoreRoot);
        using var session = new BuildSession(store, request, plan, platform, reporter, context);
        StageResult result;
        try
        {
            result = await Solver.SolveAsync(session, cancellationToken);
        }
        catch
        {
            // The steps that finished keep their cache records; the build's own error is the one to report.
            try { await session.Cache.FlushAsync(); }
            catch (Exception) { }
            throw;
        }
        await session.Cache.FlushAsync(); // the cache records of the steps that ran, written meanwhile
        await session.SaveStatCacheAsync(cancellationToken);

        var warnings = new List<string>();
        if (syntaxWarning is not null) warnings.Add(syntaxWarning);
        var unused = request.BuildArgs.Keys
            .Where(k => !plan.DeclaredArgs.Contains(k) && !session.UsedBuildArgs.Contains(k) && !PlatformArgs.Proxy.Contains(k)
                && k != "SOURCE_DATE_EPOCH" && !k.StartsWith("BUILDKIT_", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToList();
        if (unused.Count > 0)
        {
            var warning = $"One or more build-args [{string.Join(' ', unused)}] were not consumed";
            warnings.Add(warning);
            reporter.Warn(warning);
        }

        var exporting = reporter.Start("exporting to image");
        // A cached layer the store lacks stays in its remote cache (lazy) when one has it, else is fetched now.
        await LazyLayers.PlaceAsync(session, result.Image.Layers, tags.FirstOrDefault()?.ToString(), cancellationToken);
        var build = await ImageWriter.WriteAsync(store, result, session.Created, request.Labels, cancellationToken);
        var outputs = request.Outputs.Count == 0 ? [new BuildOutput(BuildOutputType.Image)] : request.Outputs;
        var named = outputs.Any(o => o.Type == BuildOutputType.Image) || request.Push ? tags : [];
        try
        {
            await WriteOutputsAsync(store, session, build, request, tags, outputs, cancellationToken);
        }
        catch (LazyBlobUnavailableException e)
        {
            exporting.Failed(e.Message);
            throw new BuildException(e.Message, inner: e);
        }
        exporting.Done();

        if (request.Push)
        {
            if (tags.Count == 0) throw new BuildException("--push needs a name: add -t registry/repository:tag") { IsInputError = true };
            using var client = new RegistryClient(new RegistryClientOptions { InsecureRegistries = request.InsecureRegistries });
            foreach (var tag in tags)
            {
                var pushing = reporter.Start($"pushing {tag}");
                try
                {
                    await store.TagAsync(tag, build.Manifest, cancellationToken);
                    await client.PushAsync(store, tag.ToString(), tag, null, cancellationToken);
                    pushing.Done();
                }
                catch (Exception e) when (e is RegistryException or LazyBlobUnavailableException)
                {
                    pushing.Failed(e.Message);
                    throw new BuildException($"failed to push {tag}: {e.Message}", inner: e);
                }
            }
        }

        await CollectGarbageAsync(store, reporter, cancellationToken);
        return new BuildResult
        {
            ImageDigest = build.Manifest.Digest.ToString(),
            ConfigDigest = build.Config.Digest.ToString(),
            Tags = named.Select(t => t.ToString()).ToList(),
            Warnings = warnings,
            CacheSteps = session.Cache.Steps(plan),
            Metadata = new Dictionary<string, string>
            {
                ["containerimage.digest"] = build.Manifest.Digest.ToString(),
                ["containerimage.config.digest"] = build.Config.Digest.ToString(),
                ["image.name"] = string.Join(',', named.Select(t => t.ToString())),
                // The digest of the final op: the build graph's definition (what the layer cache keys on).
                ["ashlar.op.digest"] = result.Op.Digest.ToString(),
                ["ashlar.cache.key"] = result.Key.ToString(),
                ["ashlar.cache.lookup.average"] = session.Cache.AverageLookup.TotalMilliseconds.ToString("0.000", CultureInfo.InvariantCulture) + "ms",
            },
        };
    }

    private static async Task WriteOutputsAsync(ImageStore store, BuildSession session, StoredBuild build, BuildRequest request,
        IReadOnlyList<ImageReference> tags, IReadOnlyList<BuildOutput> outputs, CancellationToken cancellationToken)
    {
        foreach (var output in outputs)
        {
            switch (output.Type)
            {
                case BuildOutputType.Image:
                    if (tags.Count == 0) await store.AddDanglingAsync(build.Manifest, cancellationToken);
                    foreach (var tag in tags) await store.TagAsync(tag, build.Manifest, cancellationToken);
                    break;
                case BuildOutputType.Docker or BuildOutputType.Oci:
                    await WithOutputAsync(output.Destination, stream => ArchiveWriter.WriteAsync(store, build, request.Tags, output.Type == BuildOutputType.Docker, stream, cancellationToken));
                    break;
                case BuildOutputType.Local:
                    await FilesystemWriter.WriteDirectoryAsync(store, build, Path.GetFullPath(output.Destination!), cancellationToken);
                    break;
                case BuildOutputType.Tar:
                    await WithOutputAsync(output.Destination, stream => FilesystemWriter.WriteTarAsync(store, build, session.ScratchDirectory, stream, cancellationToken));
                    break;
            }
        }
    }

    // The automatic limit ($ASHLAR_GC_KEEP_STORAGE, default 10% of the filesystem): least recently used cache goes first.
    private static async Task CollectGarbageAsync(ImageStore store, StepReporter reporter, CancellationToken cancellationToken)
    {
        try
        {
            await new StoreGarbageCollector(store, SnapshotPruner.ForStore(store.Root), CacheIndexCollector.ForStore(store.Root))
                .CollectToLimitAsync(cancellationToken: cancellationToken);
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            reporter.Warn($"garbage collection of the store failed: {e.Message}");
        }
    }

    private static ImageReference ParseTag(string tag)
    {
        try
        {
            return ImageReference.Parse(tag);
        }
        catch (Exception e) when (e is InvalidReferenceException or FormatException)
        {
            throw new BuildException($"invalid tag \"{tag}\": {e.Message}") { IsInputError = true };
        }
    }

    private static async Task WithOutputAsync(string? destination, Func<Stream, Task> write)
    {
        if (destination is null or "-")
        {
            await using var stdout = Console.OpenStandardOutput();
            await write(stdout);
            return;
        }
        var full = Path.GetFullPath(destination);
        var temporary = full + ".partial";
        try
        {
            await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
                await write(file);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary); // a failed export (a lazy layer that could not be fetched) leaves no half archive
        }
    }

    // BuildKit's error view: the failing line and two around it, numbered, the failing one marked.
    private static List<string> Excerpt(string text, int line)
    {
        var lines = text.Split('\n');
        var excerpt = new List<string>();
        for (var i = Math.Max(1, line - 2); i <= Math.Min(lines.Length, line + 2); i++)
            excerpt.Add($"{i,4} | {(i == line ? ">>>" : "   ")} {lines[i - 1].TrimEnd('\r')}");
        return excerpt;
    }
}
