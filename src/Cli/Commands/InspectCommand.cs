using System.CommandLine;
using System.Text.Json;
using Ashlar.Images.Formats;
using Ashlar.Images.Store;

namespace Ashlar.Cli.Commands;

/// <summary>
/// <c>ashlar inspect IMAGE...</c>: a JSON array in docker's image-inspect shape (Id, RepoTags, Created, Config, RootFS,
/// ...) plus the exact stored <c>Manifest</c> and image config (<c>ImageConfig</c>).
/// </summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var images = new Argument<string[]>("IMAGE") { Arity = ArgumentArity.OneOrMore, Description = "Image names or IDs" };
        var platform = new Option<string?>("--platform") { Description = "For a multi-platform image, which platform (os/arch[/variant])" };
        var command = new Command("inspect", "Display detailed information on one or more images") { images, platform };
        StoreCommandAction.Set(command, async (parseResult, cancellationToken) =>
        {
            var store = StoreOptions.Open(parseResult);
            var wanted = parseResult.GetValue(platform) is { } p ? Platform.Parse(p) : null;
            var status = ExitCodes.Ok;
            await using var stdout = Console.OpenStandardOutput();
            await using (var json = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true, IndentSize = 4, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                json.WriteStartArray();
                foreach (var name in parseResult.GetValue(images)!)
                {
                    try
                    {
                        var target = await store.FindAsync(name, cancellationToken);
                        var image = await store.LoadImageAsync(target, wanted, cancellationToken);
                        await WriteAsync(json, store, target, image, cancellationToken);
                    }
                    catch (Exception e) when (StoreCommandAction.IsUserFacing(e))
                    {
                        Console.Error.WriteLine($"ashlar: {e.Message}");
                        status = ExitCodes.Failed;
                    }
                }
                json.WriteEndArray();
            }
            Console.Out.WriteLine();
            return status;
        });
        return command;
    }

    private static async Task WriteAsync(Utf8JsonWriter json, ImageStore store, Descriptor target, StoredImage image, CancellationToken cancellationToken)
    {
        var references = await store.ReferencesToAsync(target.Digest, cancellationToken);
        json.WriteStartObject();
        json.WriteString("Id", image.Id.ToString());
        json.WriteStartArray("RepoTags");
        foreach (var reference in references.Where(r => r.Tag is not null)) json.WriteStringValue(reference.Familiar);
        json.WriteEndArray();
        json.WriteStartArray("RepoDigests");
        foreach (var reference in references) json.WriteStringValue($"{reference.FamiliarName}@{target.DigestText}");
        json.WriteEndArray();
        if (image.Config.Created is { } created) json.WriteString("Created", created.ToUniversalTime().ToString("O"));
        if (image.Config.Author is { } author) json.WriteString("Author", author);
        json.WriteString("Architecture", image.Config.Architecture);
        if (image.Config.Variant is { } variant) json.WriteString("Variant", variant);
        json.WriteString("Os", image.Config.OS);
        json.WriteNumber("Size", image.Manifest.Config.Size + image.Manifest.Layers.Sum(l => l.Size));

        using var config = JsonDocument.Parse(await store.Content.ReadAllBytesAsync(image.Id, cancellationToken));
        json.WritePropertyName("Config");
        if (config.RootElement.TryGetProperty("config", out var containerConfig)) containerConfig.WriteTo(json);
        else json.WriteNullValue();
        json.WriteStartObject("RootFS");
        json.WriteString("Type", image.Config.RootFs.Type);
        json.WriteStartArray("Layers");
        foreach (var diffId in image.Config.RootFs.DiffIds) json.WriteStringValue(diffId);
        json.WriteEndArray();
        json.WriteEndObject();

        json.WritePropertyName("Descriptor");
        JsonSerializer.Serialize(json, image.Descriptor, ImageJsonContext.Relaxed.Descriptor);
        using var manifest = JsonDocument.Parse(await store.Content.ReadAllBytesAsync(image.ManifestDigest, cancellationToken));
        json.WritePropertyName("Manifest");
        manifest.RootElement.WriteTo(json);
        json.WritePropertyName("ImageConfig");
        config.RootElement.WriteTo(json);
        json.WriteEndObject();
    }
}
