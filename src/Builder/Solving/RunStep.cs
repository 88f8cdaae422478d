using System.Security.Cryptography;
using System.Text;
using Ashlar.Builder.Graph;
using Ashlar.Builder.Native;
using Ashlar.Builder.Planning;
using Ashlar.Executor.Containers;
using Ashlar.Parser.Instructions;
using ExecNetwork = Ashlar.Executor.Containers.NetworkMode;
using RunNetwork = Ashlar.Parser.Instructions.NetworkMode;

namespace Ashlar.Builder.Solving;

/// <summary>RUN: the command in a container over a fresh snapshot of the stage, with its mounts; the diff becomes a layer.</summary>
internal sealed class RunStep(BuildSession session, StageRunner stage)
{
    private const string InsecureEntitlement = "security.insecure";

    private readonly List<Action> _cleanup = [];
    private int _sshMounts;
    private StepReporter.Step? _step;

    public async Task RunAsync(RunInstruction run, CancellationToken cancellationToken)
    {
        var image = stage.Image;
        var args = CommandArgs(run, image);
        var runArgs = stage.Args.RunArgs(image);
        var env = new List<string>(image.Env);
        if (image.GetEnv("PATH") is null) env.Insert(0, ImageState.DefaultPath);
        env.AddRange(runArgs.Select(a => $"{a.Key}={a.Value}"));
        env.AddRange(stage.Args.ProxyArgs(image).Select(a => $"{a.Key}={a.Value}"));
        var historyArgs = stage.Args.HistoryArgs(image).Where(a => !PlatformArgs.Proxy.Contains(a.Key)).ToList();
        var workdir = string.IsNullOrEmpty(image.WorkingDir) ? "/" : image.WorkingDir;
        var network = (run.Network == RunNetwork.Default ? session.Request.Network switch
        {
            BuildNetwork.None => RunNetwork.None,
            _ => RunNetwork.Host,
        } : run.Network) == RunNetwork.None ? ExecNetwork.None : ExecNetwork.Host;

        // As BuildKit: an insecure RUN needs the entitlement granted to the build, and its mode is part of its key.
        var insecure = run.Security == Parser.Instructions.SecurityMode.Insecure;
        if (insecure && !session.Request.Entitlements.Contains(InsecureEntitlement))
            throw new BuildException($"{InsecureEntitlement} is not allowed: RUN --security=insecure needs the build to grant it (--allow {InsecureEntitlement})")
                { IsInputError = true };

        var step = stage.StartStep(run);
        _step = step;
        var key = session.NewKey("active");
        try
        {
            var mounts = new List<ExecMount>();
            foreach (var raw in run.Mounts)
            {
                var mount = raw.NeedsExpansion ? RunMount.Parse(raw.Raw, stage.Expand) : raw;
                mounts.Add(await ResolveMountAsync(mount, workdir, cancellationToken));
            }
            var op = new ExecOp(stage.CurrentOp, args, env, workdir, image.User ?? "", network.ToString().ToLowerInvariant(), mounts);
            var createdBy = "RUN " + (historyArgs.Count > 0 ? $"|{historyArgs.Count} {string.Join(' ', historyArgs.Select(a => $"{a.Key}={a.Value}"))} " : "") + string.Join(' ', args) + " # buildkit";
            var cacheKey = stage.KeyFor(op, insecure ? "security=insecure" : null);
            stage.AddRunInputs(cacheKey, run, runArgs, workdir, network.ToString().ToLowerInvariant());
            await RunKeys.AddMountsAsync(cacheKey, mounts, session, stage, cancellationToken);
            if (await stage.TryCachedAsync(step, op, cacheKey.Build(), createdBy, cancellationToken)) return;

            var containerMounts = new List<ContainerMount>();
            var secretEnv = new List<string>();
            foreach (var mount in mounts)
                containerMounts.AddRange(await PrepareMountAsync(mount, secretEnv, cancellationToken));
            if (Mounts.SshMount.AuthSockEnv(mounts, env) is { } authSock) secretEnv.Add(authSock);

            var rootfs = session.Snapshots.Prepare(key, await stage.CurrentSnapshotAsync(cancellationToken));
            var spec = new ContainerSpec
            {
                Rootfs = rootfs,
                Args = args,
                Env = [.. env, .. secretEnv],
                WorkingDirectory = workdir,
                User = image.User ?? "",
                Network = network,
                Security = insecure ? Executor.Containers.SecurityMode.Insecure : Executor.Containers.SecurityMode.Sandbox,
                Mounts = containerMounts,
                Limits = session.Request.MemoryBytes is { } memory ? new ResourceLimits { MemoryBytes = memory } : ResourceLimits.None,
                StandardOutput = step.Output,
                StandardError = step.Output,
            };
            ExecResult result;
            try
            {
                result = await Container.RunAsync(spec, cancellationToken);
            }
            catch (ContainerStartException e)
            {
                throw new BuildException($"process \"{string.Join(' ', args)}\" could not start: {e.Message}");
            }
            if (!result.Succeeded)
            {
                var code = result.Signal is { } signal ? 128 + signal : result.ExitCode;
                var reason = result.OomKilled ? " (killed: out of memory)" : result.Signal is { } s ? $" (killed by signal {s})" : "";
                var tail = step.Tail;
                throw new BuildException($"process \"{string.Join(' ', args)}\" did not complete successfully: exit code: {code}{reason}"
                    + (tail.Count > 0 ? "\n" + string.Join('\n', tail) : "")) { ExitCode = code };
            }
            await stage.CommitAsync(op, key, rootfs[0].UpperDirectory!, createdBy, keepEmpty: true, cancellationToken);
            step.Done();
        }
        catch (Exception e)
        {
            if (session.Snapshots.Stat(key) is { Kind: Executor.Snapshots.SnapshotKind.Active }) session.Snapshots.Remove(key);
            step.Failed(e is BuildException b ? b.Reason : e.Message);
            throw;
        }
        finally
        {
            for (var i = _cleanup.Count - 1; i >= 0; i--)
            {
                try { _cleanup[i](); }
                catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException) { }
            }
        }
    }

    private static IReadOnlyList<string> CommandArgs(RunInstruction run, ImageState image)
    {
        if (run.Command.IsExecForm) return run.Command.Arguments;
        var script = string.Join(' ', run.Command.Arguments);
        if (run.Heredocs.Count > 0)
        {
            var trimmed = script.Trim();
            // BuildKit: a RUN that is only a heredoc runs its body as the script; otherwise the shell reads the heredocs itself.
            if (run.Heredocs.Count == 1 && trimmed.StartsWith("<<", StringComparison.Ordinal) && !trimmed.Contains(' '))
            {
                var body = run.Heredocs[0].Data;
                return [.. image.ShellOrDefault, body];
            }
            script += "\n" + string.Concat(run.Heredocs.Select(h => h.Data + h.Name + "\n")).TrimEnd('\n');
        }
        return [.. image.ShellOrDefault, script];
    }

    private async Task<ExecMount> ResolveMountAsync(RunMount mount, string workdir, CancellationToken cancellationToken)
    {
        var target = mount.Type == MountType.Ssh ? mount.Target ?? Mounts.SshMount.DefaultTarget(_sshMounts) : mount.EffectiveTarget;
        if (mount.Type == MountType.Ssh) _sshMounts++;
        if (target is not null && !target.StartsWith('/'))
            target = workdir.TrimEnd('/') + "/" + target;
        Op? source = null;
        if (mount.Type == MountType.Bind || mount is { Type: MountType.Cache, From: not null })
            source = mount.From is null ? session.Context : (await stage.ResolveSourceAsync(mount.From, cancellationToken)).Op;
        return new ExecMount(mount.Type, target ?? "", source, mount.Source, mount.ReadOnly, mount.EffectiveId, mount.Sharing,
            mount.EffectiveMode, mount.Uid, mount.Gid, mount.SizeLimit, mount.Env, mount.Required, mount.From);
    }

    private async Task<IReadOnlyList<ContainerMount>> PrepareMountAsync(ExecMount mount, List<string> secretEnv, CancellationToken cancellationToken)
    {
        switch (mount.Type)
        {
            case MountType.Tmpfs:
                return [ContainerMount.Tmpfs(mount.Target, mount.SizeLimit)];
            case MountType.Bind:
                return [await BindAsync(mount, cancellationToken)];
            case MountType.Cache:
                return [await CacheAsync(mount, cancellationToken)];
            case MountType.Secret:
                return Secret(mount, secretEnv);
            case MountType.Ssh:
                return Mounts.SshMount.Prepare(session.Request, mount, _cleanup);
            default:
                throw new BuildException($"RUN --mount=type={mount.Type.ToString().ToLowerInvariant()} is not supported");
        }
    }

    private async Task<ContainerMount> BindAsync(ExecMount mount, CancellationToken cancellationToken)
    {
        string root;
        var from = mount.From;
        if (from is null)
        {
            // The context as BuildKit transfers it: .dockerignore'd files absent, files 0:0; a private copy, so a rw
            // mount's writes go nowhere.
            string copy;
            try { copy = await Mounts.MountSource.CopyAsync(await session.ContextTreeAsync(cancellationToken), mount.SourcePath ?? "/", session.ScratchDirectory, cancellationToken); }
            catch (FileOps.SourceNotFoundException e) { throw new BuildException($"RUN --mount=type=bind: {e.Message}"); }
            _cleanup.Add(() => Directory.Delete(Path.GetDirectoryName(copy)!, recursive: true));
            return ContainerMount.Bind(copy, mount.Target, mount.ReadOnly);
        }
        else
        {
            var (_, snapshot) = await stage.ResolveFromAsync(from, cancellationToken);
            if (snapshot is null)
            {
                root = Directory.CreateDirectory(Path.Combine(session.ScratchDirectory, "empty-" + Guid.NewGuid().ToString("N"))).FullName;
            }
            else if (mount.ReadOnly)
            {
                var viewKey = session.NewKey("view");
                var view = HostMount.Open(session.Snapshots.View(viewKey, snapshot), session.ScratchDirectory);
                _cleanup.Add(() => session.Snapshots.Remove(viewKey));
                _cleanup.Add(view.Dispose);
                root = view.Path;
            }
            else
            {
                // rw: writes land in a throwaway snapshot, discarded after the step.
                var scratchKey = session.NewKey("rw");
                var writable = HostMount.Open(session.Snapshots.Prepare(scratchKey, snapshot), session.ScratchDirectory);
                _cleanup.Add(() => session.Snapshots.Remove(scratchKey));
                _cleanup.Add(writable.Dispose);
                return ContainerMount.Bind(ScopedPath.Resolve(writable.Path, mount.SourcePath ?? "/"), mount.Target, readOnly: false);
            }
        }
        var path = ScopedPath.Resolve(root, mount.SourcePath ?? "/");
        if (!Path.Exists(path))
            throw new BuildException($"RUN --mount=type=bind: source \"{mount.SourcePath}\" not found in {from ?? "the build context"}");
        return ContainerMount.Bind(path, mount.Target, mount.ReadOnly);
    }

    private async Task<ContainerMount> CacheAsync(ExecMount mount, CancellationToken cancellationToken)
    {
        var id = mount.Id ?? mount.Target;
        // A cache seeded from a stage is its own cache (BuildKit keys it by id and the base's content).
        var seed = mount.Source is null ? "" : $"\n{mount.Source.Digest}\n{mount.SourcePath}";
        var name = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id + seed)))[..32];
        var root = Path.Combine(session.Store.Root, "cache-mounts");
        var path = Path.Combine(root, name);
        Directory.CreateDirectory(root);
        if (!Directory.Exists(path))
        {
            var fresh = path + ".new-" + Guid.NewGuid().ToString("N");
            Directory.CreateDirectory(fresh);
            File.SetUnixFileMode(fresh, (UnixFileMode)(mount.Mode ?? Convert.ToInt32("755", 8)));
            FileOwner.Change(fresh, mount.Uid ?? 0, mount.Gid ?? 0);
            if (mount.From is not null) await SeedCacheAsync(mount, fresh, cancellationToken);
            try { Directory.Move(fresh, path); }
            catch (IOException) { Directory.Delete(fresh); }
        }
        switch (mount.Sharing)
        {
            case CacheSharing.Locked:
            {
                // Waits for any other step (this process or another) that holds the cache, and says so.
                var lockFile = await CacheLock.AcquireAsync(path + ".lock", cancellationToken,
                    () => _step?.Waiting($"waiting for cache mount \"{id}\" (sharing=locked): another step or build holds it"));
                _cleanup.Add(lockFile.Dispose);
                break;
            }
            case CacheSharing.Private when CacheLock.TryAcquire(path + ".lock") is { } held:
                _cleanup.Add(held.Dispose);
                break;
            case CacheSharing.Private:
            {
                var instance = Path.Combine(session.ScratchDirectory, "cache-" + Guid.NewGuid().ToString("N"));
                Directory.CreateDirectory(instance);
                File.SetUnixFileMode(instance, (UnixFileMode)(mount.Mode ?? Convert.ToInt32("755", 8)));
                FileOwner.Change(instance, mount.Uid ?? 0, mount.Gid ?? 0);
                return ContainerMount.Bind(instance, mount.Target, readOnly: false);
            }
        }
        return ContainerMount.Bind(path, mount.Target, mount.ReadOnly);
    }

    // from=STAGE,source=PATH: a new cache starts as a copy of that stage's PATH.
    private async Task SeedCacheAsync(ExecMount mount, string directory, CancellationToken cancellationToken)
    {
        var (_, snapshot) = await stage.ResolveFromAsync(mount.From!, cancellationToken);
        if (snapshot is null) return;
        var viewKey = session.NewKey("view");
        try
        {
            using var view = HostMount.Open(session.Snapshots.View(viewKey, snapshot), session.ScratchDirectory);
            await Mounts.MountSource.FillAsync(Context.SourceTree.FromDirectory(view.Path, $"stage {mount.From}"), mount.SourcePath ?? "/", directory, cancellationToken);
        }
        catch (FileOps.SourceNotFoundException e)
        {
            throw new BuildException($"RUN --mount=type=cache,from={mount.From}: {e.Message}");
        }
        finally { session.Snapshots.Remove(viewKey); }
    }

    private IReadOnlyList<ContainerMount> Secret(ExecMount mount, List<string> secretEnv)
    {
        var value = mount.Id is null ? null : RunKeys.ReadSecret(session.Request, mount.Id);
        if (value is null)
        {
            if (mount.Required)
                throw new BuildException($"secret {mount.Id} not found: pass it with --secret id={mount.Id},src=FILE or env=VAR");
            return [];
        }
        if (mount.Env is not null)
        {
            secretEnv.Add($"{mount.Env}={value}");
            if (string.IsNullOrEmpty(mount.Target))
                return [];
        }
        // A secret file lives outside the snapshot and the store's blobs, and goes away with the step.
        var dir = Path.Combine("/dev/shm", "ashlar-secret-" + Guid.NewGuid().ToString("N"));
        if (!Directory.Exists("/dev/shm")) dir = Path.Combine(session.ScratchDirectory, "secret-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        File.SetUnixFileMode(dir, (UnixFileMode)Convert.ToInt32("700", 8));
        var path = Path.Combine(dir, "secret");
        File.WriteAllText(path, value);
        File.SetUnixFileMode(path, (UnixFileMode)(mount.Mode ?? Convert.ToInt32("400", 8)));
        FileOwner.Change(path, mount.Uid ?? 0, mount.Gid ?? 0);
        _cleanup.Add(() => Directory.Delete(dir, recursive: true));
        return [ContainerMount.Bind(path, mount.Target, readOnly: true)];
    }
}
