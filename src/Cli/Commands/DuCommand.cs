using System.CommandLine;
using Ashlar.Cache.Index;
using Ashlar.Executor.Snapshots;
using Ashlar.Images.Store;

namespace Ashlar.Cli.Commands;

/// <summary><c>ashlar du</c>: disk usage of the store, in docker system df's table, with the build cache's share.</summary>
internal static class DuCommand
{
    public static Command Create()
    {
        var command = new Command("du", "Show disk usage of the image store");
        StoreCommandAction.Set(command, async (parseResult, cancellationToken) =>
        {
            var store = StoreOptions.Open(parseResult);
            var usage = await store.DiskUsageAsync(cancellationToken);
            var collector = new StoreGarbageCollector(store, SnapshotPruner.ForStore(store.Root), CacheIndexCollector.ForStore(store.Root));
            var share = await collector.UsageAsync(cancellationToken);
            var table = new TextTable("TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE");
            table.Add("Images", usage.Images.ToString(), usage.TaggedImages.ToString(), HumanUnits.Size(usage.ImagesSize, 4), Reclaimable(usage.ReclaimableImagesSize, usage.ImagesSize));
            table.Add("Blobs", usage.Blobs.ToString(), usage.ReferencedBlobs.ToString(), HumanUnits.Size(usage.BlobsSize, 4), Reclaimable(usage.UnreferencedBlobsSize, usage.BlobsSize));
            table.Add("Snapshots", share.Snapshots.ToString(), "", HumanUnits.Size(share.SnapshotsSize, 4), Reclaimable(share.ReclaimableSnapshotsSize, share.SnapshotsSize));
            table.Add("Build Cache", share.CacheEntries.ToString(), share.ActiveCacheEntries.ToString(), HumanUnits.Size(share.CacheSize, 4), Reclaimable(share.ReclaimableCacheSize, share.CacheSize));
            Console.Out.Write(table.ToString());
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Reclaimable(long bytes, long total) =>
        $"{HumanUnits.Size(bytes, 4)} ({(total == 0 ? 0 : bytes * 100 / total)}%)";
}
