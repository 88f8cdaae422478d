using System.CommandLine;

namespace Ashlar.Cli.Commands;

/// <summary><c>ashlar history IMAGE</c>: docker history's table, newest step first.</summary>
internal static class HistoryCommand
{
    private const int CreatedByWidth = 45;

    public static Command Create()
    {
        var image = new Argument<string>("IMAGE") { Description = "An image name or ID" };
        var noTrunc = new Option<bool>("--no-trunc") { Description = "Don't truncate output" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Only show image IDs" };
        var human = new Option<bool>("--human", "-H") { Description = "Print sizes and dates in human readable format", DefaultValueFactory = _ => true };
        var command = new Command("history", "Show the history of an image") { image, noTrunc, quiet, human };
        StoreCommandAction.Set(command, async (parseResult, cancellationToken) =>
        {
            var store = StoreOptions.Open(parseResult);
            var stored = await store.LoadImageAsync(parseResult.GetValue(image)!, null, cancellationToken);
            var full = parseResult.GetValue(noTrunc);
            var id = full ? stored.Id.ToString() : stored.Id.Short;
            var items = stored.History().Reverse().ToList();
            if (parseResult.GetValue(quiet))
            {
                for (var i = 0; i < items.Count; i++) Console.Out.WriteLine(i == 0 ? id : "<missing>");
                return ExitCodes.Ok;
            }
            var isHuman = parseResult.GetValue(human);
            var now = DateTime.UtcNow;
            var table = new TextTable("IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT");
            for (var i = 0; i < items.Count; i++)
            {
                var (entry, layer) = (items[i].Entry, items[i].Layer);
                var createdBy = (entry.CreatedBy ?? "").Replace('\t', ' ').Replace('\n', ' ');
                if (!full && createdBy.Length > CreatedByWidth) createdBy = createdBy[..(CreatedByWidth - 1)] + "…";
                var size = layer?.Size ?? 0;
                table.Add(
                    i == 0 ? id : "<missing>",
                    isHuman ? HumanUnits.Ago(entry.Created, now) : entry.Created?.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ") ?? "N/A",
                    createdBy,
                    isHuman ? HumanUnits.Size(size) : size.ToString(),
                    entry.Comment ?? "");
            }
            Console.Out.Write(table.ToString());
            return ExitCodes.Ok;
        });
        return command;
    }
}
