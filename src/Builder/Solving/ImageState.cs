using Ashlar.Images.Formats;

namespace Ashlar.Builder.Solving;

/// <summary>The image config a stage is building, mutable while its instructions run (Docker's fields, kept in OCI output too).</summary>
internal sealed class ImageState
{
    public const string DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public List<string> Env { get; private set; } = [];
    public string? User { get; set; }
    public string? WorkingDir { get; set; }
    public IReadOnlyList<string>? Cmd { get; set; }
    public IReadOnlyList<string>? Entrypoint { get; set; }
    public SortedDictionary<string, EmptyObject> ExposedPorts { get; private set; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, EmptyObject> Volumes { get; private set; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, string> Labels { get; private set; } = new(StringComparer.Ordinal);
    public List<string> OnBuild { get; private set; } = [];
    public string? StopSignal { get; set; }
    public IReadOnlyList<string>? Shell { get; set; }
    public HealthConfig? Healthcheck { get; set; }
    public string? Author { get; set; }
    public List<HistoryEntry> History { get; private set; } = [];

    /// <summary>How many <see cref="History"/> entries came with the base image (the rest are this build's).</summary>
    public int BaseHistoryCount { get; private set; }
    public List<string> DiffIds { get; private set; } = [];
    public List<Descriptor> Layers { get; private set; } = [];
    public string Architecture { get; set; } = Platform.Current.Architecture;
    public string OS { get; set; } = "linux";
    public string? Variant { get; set; }

    public IReadOnlyList<string> ShellOrDefault => Shell ?? ["/bin/sh", "-c"];

    /// <summary>BuildKit's empty image: PATH set, working dir "/".</summary>
    public static ImageState Scratch(Platform platform) => new()
    {
        Env = [DefaultPath],
        WorkingDir = "/",
        Architecture = platform.Architecture,
        OS = platform.OS,
        Variant = platform.Variant,
    };

    public static ImageState From(ImageConfig config, IReadOnlyList<Descriptor> layers)
    {
        var c = config.Config ?? new ContainerConfig();
        return new ImageState
        {
            Env = c.Env?.ToList() ?? [DefaultPath],
            User = c.User,
            WorkingDir = c.WorkingDir,
            Cmd = c.Cmd,
            Entrypoint = c.Entrypoint,
            ExposedPorts = new(c.ExposedPorts?.ToDictionary() ?? [], StringComparer.Ordinal),
            Volumes = new(c.Volumes?.ToDictionary() ?? [], StringComparer.Ordinal),
            Labels = new(c.Labels?.ToDictionary() ?? [], StringComparer.Ordinal),
            OnBuild = c.OnBuild?.ToList() ?? [],
            StopSignal = c.StopSignal,
            Shell = c.Shell,
            Healthcheck = c.Healthcheck,
            Author = config.Author,
            History = config.History?.ToList() ?? [],
            BaseHistoryCount = config.History?.Count ?? 0,
            DiffIds = config.RootFs.DiffIds.ToList(),
            Layers = layers.ToList(),
            Architecture = config.Architecture,
            OS = config.OS,
            Variant = config.Variant,
        };
    }

    public ImageState Clone()
    {
        var copy = (ImageState)MemberwiseClone();
        copy.Env = [.. Env];
        copy.ExposedPorts = new(ExposedPorts, StringComparer.Ordinal);
        copy.Volumes = new(Volumes, StringComparer.Ordinal);
        copy.Labels = new(Labels, StringComparer.Ordinal);
        copy.OnBuild = [.. OnBuild];
        copy.History = [.. History];
        copy.DiffIds = [.. DiffIds];
        copy.Layers = [.. Layers];
        return copy;
    }

    private List<HistoryEntry> FillHistoryTimes(DateTime fallback)
    {
        var history = new List<HistoryEntry>(History);
        for (var i = BaseHistoryCount; i < history.Count; i++)
        {
            if (history[i].Created is not null) continue;
            DateTime? time = null;
            for (var j = i - 1; j >= BaseHistoryCount && time is null; j--) time = History[j].Created;
            for (var j = i + 1; j < history.Count && time is null; j++) time = History[j].Created;
            history[i] = history[i] with { Created = time ?? fallback };
        }
        return history;
    }

    public string? GetEnv(string name)
    {
        foreach (var entry in Env)
            if (entry.Length > name.Length && entry[name.Length] == '=' && entry.StartsWith(name, StringComparison.Ordinal))
                return entry[(name.Length + 1)..];
        return null;
    }

    /// <summary>Sets a variable in place (its position kept, as docker does) or appends it.</summary>
    public void SetEnv(string name, string value)
    {
        var index = Env.FindIndex(e => e.StartsWith(name + "=", StringComparison.Ordinal));
        if (index >= 0) Env[index] = $"{name}={value}";
        else Env.Add($"{name}={value}");
    }

    /// <summary>
    /// The image config. This build's metadata-only history entries (left without a time) take the time of the layer
    /// step before them (or the first after them), BuildKit's rule, and the image's created time is its newest entry's:
    /// so a rebuild from the cache, whose layer steps keep the times they were first made at, is the same image.
    /// <paramref name="created"/> is used when no entry of this build has a time. (Under SOURCE_DATE_EPOCH every step's time is it.)
    /// </summary>
    public ImageConfig ToConfig(DateTime created, IReadOnlyDictionary<string, string>? extraLabels = null)
    {
        var history = FillHistoryTimes(created);
        created = history.Skip(BaseHistoryCount).Select(h => h.Created).OfType<DateTime>().DefaultIfEmpty(created).Max();
        var labels = new SortedDictionary<string, string>(Labels, StringComparer.Ordinal);
        if (extraLabels is not null)
            foreach (var (key, value) in extraLabels) labels[key] = value;
        return new ImageConfig
        {
            Created = created,
            Author = Author,
            Architecture = Architecture,
            OS = OS,
            Variant = Variant,
            Config = new ContainerConfig
            {
                User = string.IsNullOrEmpty(User) ? null : User,
                ExposedPorts = ExposedPorts.Count == 0 ? null : ExposedPorts,
                Env = Env.Count == 0 ? null : Env,
                Entrypoint = Entrypoint,
                Cmd = Cmd,
                Healthcheck = Healthcheck,
                Volumes = Volumes.Count == 0 ? null : Volumes,
                WorkingDir = string.IsNullOrEmpty(WorkingDir) ? null : WorkingDir,
                Labels = labels.Count == 0 ? null : labels,
                OnBuild = OnBuild.Count == 0 ? null : OnBuild,
                StopSignal = StopSignal,
                Shell = Shell,
            },
            RootFs = new RootFs { DiffIds = DiffIds },
            History = history,
        };
    }
}
