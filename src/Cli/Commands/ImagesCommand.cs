using System.CommandLine;
using Ashlar.Images.References;

namespace Ashlar.Cli.Commands;

/// <summary>
/// <c>ashlar images [REPOSITORY[:TAG]]</c>: docker images' table; dangling images as &lt;none&gt;. SIZE is docker's:
/// the unpacked size (the layers' uncompressed tars, config included), not the compressed bytes stored.
/// </summary>
internal static class ImagesCommand
{
    public static Command Create()
    {
        var repository = new Argument<string?>("REPOSITORY[:TAG]") { Arity = ArgumentArity.ZeroOrOne, Description = "Only images of this repository (and tag)" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Only show image IDs" };
        var noTrunc = new Option<bool>("--no-trunc") { Description = "Don't truncate output" };
        var digests = new Option<bool>("--digests") { Description = "Show manifest digests" };
        var all = new Option<bool>("--all", "-a") { Description = "Show all images (there are no intermediate images to hide; accepted for docker compatibility)" };
        var command = new Command("images", "List images") { repository, quiet, noTrunc, digests, all };
        StoreCommandAction.Set(command, async (parseResult, cancellationToken) =>
        {
            var store = StoreOptions.Open(parseResult);
            var rows = await store.ListAsync(cancellationToken);
            if (parseResult.GetValue(repository) is { } filterText)
            {
                var filter = ImageReference.ParseNormalized(filterText, addDefaultTag: false);
                rows = rows.Where(r => r.Reference is { } reference && reference.Name == filter.Name && (filter.Tag is null || reference.Tag == filter.Tag)).ToList();
            }
            var full = parseResult.GetValue(noTrunc);
            if (parseResult.GetValue(quiet))
            {
                foreach (var row in rows) Console.Out.WriteLine(full ? row.Id.ToString() : row.Id.Short);
                return ExitCodes.Ok;
            }
            var showDigests = parseResult.GetValue(digests);
            var table = showDigests
                ? new TextTable("REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE")
                : new TextTable("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
            var now = DateTime.UtcNow;
            var sizes = new ImagesUnpackedSizes(store);
            foreach (var row in rows)
            {
                var cells = new List<string>
                {
                    row.Reference?.FamiliarName ?? "<none>",
                    row.Reference?.Tag ?? "<none>",
                };
                if (showDigests) cells.Add(row.Target.DigestText);
                cells.Add(full ? row.Id.ToString() : row.Id.Short);
                cells.Add(HumanUnits.Ago(row.Created, now));
                cells.Add(HumanUnits.Size(await sizes.OfAsync(row, cancellationToken)));
                table.Add([.. cells]);
            }
            Console.Out.Write(table.ToString());
            return ExitCodes.Ok;
        });
        return command;
    }
}
