using Ashlar.Builder.Planning;

namespace Ashlar.Builder.Solving;

/// <summary>
/// The ARGs a stage has declared, BuildKit's rules: only declared ARGs are visible in a stage; a value comes from
/// <c>--build-arg</c>, else the declaration's default, else (for <c>ARG NAME</c> alone) the global ARG or automatic
/// platform ARG of that name. ENV of the same name wins over an ARG when expanding.
/// </summary>
internal sealed class StageArgs(IReadOnlyDictionary<string, string> buildArgs, IReadOnlyDictionary<string, string> global)
{
    private readonly List<KeyValuePair<string, string?>> _declared = [];

    // Every declaration in order, repeats included: BuildKit's RUN history lists each one.
    private readonly List<string> _declarations = [];

    public void Declare(string name, string? expandedDefault)
    {
        string? value = buildArgs.TryGetValue(name, out var given) ? given
            : expandedDefault ?? (global.TryGetValue(name, out var inherited) ? inherited : null);
        var index = _declared.FindIndex(a => a.Key == name);
        if (index >= 0) _declared[index] = new(name, value);
        else _declared.Add(new(name, value));
        _declarations.Add(name);
    }

    /// <summary>
    /// The <c>k=v</c> a RUN's history lists, as BuildKit writes them: one per ARG declaration of the stage (a repeated
    /// ARG twice), each with the value the RUN sees (an ENV of that name wins; none is an empty value).
    /// </summary>
    public List<KeyValuePair<string, string>> HistoryArgs(ImageState image) =>
        _declarations.Select(name => new KeyValuePair<string, string>(name,
            image.GetEnv(name) ?? _declared.First(d => d.Key == name).Value ?? "")).ToList();

    /// <summary>Declared ARGs with a value, in declaration order.</summary>
    public IEnumerable<KeyValuePair<string, string>> Values =>
        _declared.Where(a => a.Value is not null).Select(a => new KeyValuePair<string, string>(a.Key, a.Value!));

    /// <summary>The variables an expansion sees: ARGs overlaid by the image's ENV.</summary>
    public Dictionary<string, string> ExpansionScope(ImageState image)
    {
        var scope = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in Values) scope[name] = value;
        foreach (var entry in image.Env)
        {
            var equals = entry.IndexOf('=');
            if (equals > 0) scope[entry[..equals]] = entry[(equals + 1)..];
        }
        return scope;
    }

    /// <summary>ARGs a RUN step gets as environment (those not shadowed by ENV), for the env and the history's <c>|N k=v</c>.</summary>
    public List<KeyValuePair<string, string>> RunArgs(ImageState image) =>
        Values.Where(a => image.GetEnv(a.Key) is null).ToList();

    /// <summary>Proxy build args: RUN sees them without a declaration; they never reach history.</summary>
    public IEnumerable<KeyValuePair<string, string>> ProxyArgs(ImageState image) =>
        buildArgs.Where(a => PlatformArgs.Proxy.Contains(a.Key) && image.GetEnv(a.Key) is null && !_declared.Any(d => d.Key == a.Key));
}
