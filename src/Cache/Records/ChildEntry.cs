namespace Ashlar.Cache.Records;

/// <summary>One recorded child of a parent key: its key, definition digest and named input digests (by input id).</summary>
internal sealed record ChildEntry(string Key, string Definition, Dictionary<string, string> Inputs, DateTimeOffset Recorded);
