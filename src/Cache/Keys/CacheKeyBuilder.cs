using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Ashlar.Images.Content;

namespace Ashlar.Cache.Keys;

/// <summary>
/// Folds one op's cache key: the parent's key, the op's normalised definition and its named inputs.
/// The builder passes only what the step can see (e.g. only the build args it uses), so anything not added
/// cannot change the key. Inputs are folded sorted by id, so the order they are added in does not matter.
/// </summary>
/// <example><code>
/// var inputs = new CacheKeyBuilder(parent, "file", definitionJson)
///     .AddFile("src/a.txt", contentDigest)
///     .AddBuildArg("VERSION", "1.2")
///     .Build();
/// </code></example>
public sealed class CacheKeyBuilder
{
    private static ReadOnlySpan<byte> Domain => "ashlar cache key v1\n"u8;

    private readonly CacheKey _parent;
    private readonly string _opKind;
    private readonly Digest _definition;
    private readonly CacheSecretKey? _secretKey;
    private readonly Dictionary<string, CacheInput> _inputs = new(StringComparer.Ordinal);

    /// <summary>Starts a key from the parent's key, the op kind and its normalised definition (UTF-8 bytes).</summary>
    /// <param name="parent">The parent op's key, or <see cref="CacheKey.ForBaseImage"/> for the first op on a base image.</param>
    /// <param name="opKind">The op kind ("exec", "file", ...); explanations compare only keys of one kind.</param>
    /// <param name="definition">The op's normalised definition: instruction after expansion, never raw text.</param>
    /// <param name="secretKey">The store's secret key; required only if <see cref="AddSecret"/> is called.</param>
    public CacheKeyBuilder(CacheKey parent, string opKind, ReadOnlySpan<byte> definition, CacheSecretKey? secretKey = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(opKind);
        _parent = parent;
        _opKind = opKind;
        _definition = Digest.Sha256(definition);
        _secretKey = secretKey;
    }

    /// <summary>Starts a key from a definition given as text (hashed as UTF-8).</summary>
    public CacheKeyBuilder(CacheKey parent, string opKind, string definition, CacheSecretKey? secretKey = null)
        : this(parent, opKind, Encoding.UTF8.GetBytes(definition), secretKey) { }

    /// <summary>Adds an input whose value is already a digest (file content and effective metadata, a stage result).</summary>
    public CacheKeyBuilder Add(CacheInputKind kind, string name, Digest value)
    {
        if (kind == CacheInputKind.Secret)
            throw new ArgumentException("secrets go through AddSecret so they are HMAC'd, never hashed in the clear", nameof(kind));
        return AddChecked(new CacheInput(kind, name, value));
    }

    /// <summary>Adds an input given as text (hashed as UTF-8).</summary>
    public CacheKeyBuilder Add(CacheInputKind kind, string name, string value) => Add(kind, name, HashText(value));

    /// <summary>Adds a COPY/ADD source or bind-mount file by its path and the digest of its content and effective metadata.</summary>
    public CacheKeyBuilder AddFile(string path, Digest contentDigest) => Add(CacheInputKind.File, path, contentDigest);

    /// <summary>Adds a build arg the step uses (only those: an arg not added cannot change the key).</summary>
    public CacheKeyBuilder AddBuildArg(string name, string value) => Add(CacheInputKind.BuildArg, name, value);

    /// <summary>Adds an environment variable.</summary>
    public CacheKeyBuilder AddEnv(string name, string value) => Add(CacheInputKind.Env, name, value);

    /// <summary>Adds a secret by id and content: folded as HMAC-SHA256 with the store's secret key.</summary>
    public CacheKeyBuilder AddSecret(string id, ReadOnlySpan<byte> content)
    {
        if (_secretKey is null)
            throw new InvalidOperationException($"secret \"{id}\": this key builder has no store secret key to HMAC it with");
        return AddChecked(new CacheInput(CacheInputKind.Secret, id, _secretKey.Seal(id, content)));
    }

    /// <summary>Folds everything added into the key.</summary>
    public CacheKeyInputs Build()
    {
        var inputs = _inputs.Values.OrderBy(i => i.Id, StringComparer.Ordinal).ToList();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Domain);
        AppendField(hash, _parent.ToString());
        AppendField(hash, _opKind);
        AppendField(hash, _definition.ToString());
        AppendCount(hash, inputs.Count);
        foreach (var input in inputs)
        {
            AppendField(hash, input.Id);
            AppendField(hash, input.Value.ToString());
        }
        var key = new CacheKey(Digest.FromHash(hash.GetHashAndReset()));
        return new CacheKeyInputs(key, _parent, _opKind, _definition, inputs);
    }

    internal static Digest HashText(string value) => Digest.Sha256(Encoding.UTF8.GetBytes(value));

    private CacheKeyBuilder AddChecked(CacheInput input)
    {
        ArgumentNullException.ThrowIfNull(input.Name);
        if (!_inputs.TryAdd(input.Id, input))
            throw new ArgumentException($"cache input {input.Describe()} added twice", nameof(input));
        return this;
    }

    // Length-prefixed fields: no two different sequences of fields hash the same bytes.
    private static void AppendField(IncrementalHash hash, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        AppendCount(hash, bytes.Length);
        hash.AppendData(bytes);
    }

    private static void AppendCount(IncrementalHash hash, int count)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, count);
        hash.AppendData(length);
    }
}
