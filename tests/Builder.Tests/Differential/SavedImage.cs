using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Ashlar.Builder.Tests.Differential;

/// <summary>
/// An image as <c>docker save</c> and <c>ashlar save</c> write it (a docker-archive: manifest.json, the config, the layer
/// tars), read back into what the differential tests compare: the final rootfs (layers applied in order, whiteouts and
/// opaque directories honoured) and the config fields a Dockerfile sets.
/// </summary>
internal sealed class SavedImage
{
    /// <summary>The config fields compared, in the order they are shown.</summary>
    public static readonly string[] ConfigFields =
        ["Env", "Cmd", "Entrypoint", "WorkingDir", "User", "Labels", "ExposedPorts", "Volumes", "StopSignal", "Healthcheck", "Shell", "OnBuild"];

    public required IReadOnlyDictionary<string, RootfsEntry> Files { get; init; }

    /// <summary>Field name → canonical JSON (object keys sorted; absent and null both read "null").</summary>
    public required IReadOnlyDictionary<string, string> Config { get; init; }

    /// <summary>History entries: <c>created_by</c>, and <c>(empty)</c> for <c>empty_layer</c> ones.</summary>
    public required IReadOnlyList<string> History { get; init; }

    public static async Task<SavedImage> ReadAsync(string archive)
    {
        var members = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        await using (var file = File.OpenRead(archive))
        await using (var tar = new TarReader(file))
        {
            while (await tar.GetNextEntryAsync() is { } entry)
            {
                if (entry.DataStream is null) continue;
                using var buffer = new MemoryStream();
                await entry.DataStream.CopyToAsync(buffer);
                members[Normalise(entry.Name)] = buffer.ToArray();
            }
        }
        var manifest = JsonNode.Parse(members["manifest.json"])!.AsArray()[0]!;
        var config = JsonNode.Parse(members[Normalise((string)manifest["Config"]!)])!;
        var files = new SortedDictionary<string, RootfsEntry>(StringComparer.Ordinal);
        foreach (var layer in manifest["Layers"]!.AsArray())
            await ApplyLayerAsync(files, members[Normalise((string)layer!)]);
        ResolveHardLinks(files);

        var containerConfig = config["config"] as JsonObject;
        return new SavedImage
        {
            Files = files,
            Config = ConfigFields.ToDictionary(f => f, f => Canonical(containerConfig?[f])),
            History = (config["history"]?.AsArray() ?? []).Select(h =>
                ((string?)h!["created_by"] ?? "") + (h["empty_layer"] is JsonValue v && v.GetValue<bool>() ? " (empty)" : "")).ToList(),
        };
    }

    // A layer's entries replace or delete (.wh.NAME) paths of the layers below; .wh..wh..opq empties its directory
    // below. Whiteouts apply only to lower layers, so they are applied before the layer's own entries are added.
    private static async Task ApplyLayerAsync(SortedDictionary<string, RootfsEntry> files, byte[] blob)
    {
        Stream stream = new MemoryStream(blob);
        if (blob is [0x1f, 0x8b, ..]) stream = new GZipStream(stream, CompressionMode.Decompress);
        var added = new List<RootfsEntry>();
        await using (var tar = new TarReader(stream))
        {
            while (await tar.GetNextEntryAsync() is { } entry)
            {
                var path = "/" + Normalise(entry.Name);
                if (path == "/") continue;
                var name = path[(path.LastIndexOf('/') + 1)..];
                var parent = path[..path.LastIndexOf('/')];
                if (name == ".wh..wh..opq")
                {
                    foreach (var below in files.Keys.Where(k => k.StartsWith(parent + "/", StringComparison.Ordinal)).ToList())
                        files.Remove(below);
                    continue;
                }
                if (name.StartsWith(".wh.", StringComparison.Ordinal))
                {
                    var deleted = parent + "/" + name[4..];
                    foreach (var below in files.Keys.Where(k => k == deleted || k.StartsWith(deleted + "/", StringComparison.Ordinal)).ToList())
                        files.Remove(below);
                    continue;
                }
                added.Add(await EntryAsync(path, entry));
            }
        }
        foreach (var entry in added)
        {
            // A non-directory replacing a directory takes its subtree with it.
            if (files.TryGetValue(entry.Path, out var old) && old.Type == 'd' && entry.Type != 'd')
                foreach (var below in files.Keys.Where(k => k.StartsWith(entry.Path + "/", StringComparison.Ordinal)).ToList())
                    files.Remove(below);
            files[entry.Path] = entry;
        }
    }

    private static async Task<RootfsEntry> EntryAsync(string path, TarEntry entry)
    {
        var type = entry.EntryType switch
        {
            TarEntryType.Directory => 'd',
            TarEntryType.SymbolicLink => 'l',
            TarEntryType.HardLink => 'h',
            TarEntryType.CharacterDevice => 'c',
            TarEntryType.BlockDevice => 'b',
            TarEntryType.Fifo => 'p',
            _ => 'f',
        };
        string? digest = null;
        long size = 0;
        if (type == 'f' && entry.DataStream is { } data)
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[81920];
            int read;
            while ((read = await data.ReadAsync(buffer)) > 0)
            {
                sha.AppendData(buffer, 0, read);
                size += read;
            }
            digest = "sha256:" + Convert.ToHexStringLower(sha.GetHashAndReset());
        }
        var xattrs = entry is PaxTarEntry pax
            ? string.Join(' ', pax.ExtendedAttributes.Where(a => a.Key.StartsWith("SCHILY.xattr.", StringComparison.Ordinal))
                .OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key[13..]}={a.Value}"))
            : "";
        var link = type switch
        {
            'l' => entry.LinkName,
            'h' => "/" + Normalise(entry.LinkName),
            _ => null,
        };
        return new RootfsEntry(path, type, (int)entry.Mode, entry.Uid, entry.Gid, size, digest, link, xattrs, entry.ModificationTime.ToUnixTimeSeconds());
    }

    // A hard link reads as the file it links to (its content), keeping the link's path; the type stays 'h'.
    private static void ResolveHardLinks(SortedDictionary<string, RootfsEntry> files)
    {
        foreach (var (path, entry) in files.Where(p => p.Value.Type == 'h').ToList())
            if (files.TryGetValue(entry.Link!, out var target))
                files[path] = entry with { Size = target.Size, Digest = target.Digest };
    }

    private static string Normalise(string name)
    {
        var trimmed = name.Replace('\\', '/');
        while (trimmed.StartsWith("./", StringComparison.Ordinal)) trimmed = trimmed[2..];
        return trimmed.Trim('/') is var t && t == "." ? "" : trimmed.Trim('/');
    }

    // Sorted keys, so two configs that differ only in key order read the same.
    private static string Canonical(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject o => "{" + string.Join(",", o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => JsonValue.Create(p.Key).ToJsonString() + ":" + Canonical(p.Value))) + "}",
        JsonArray a => "[" + string.Join(",", a.Select(Canonical)) + "]",
        _ => node.ToJsonString(),
    };
}
