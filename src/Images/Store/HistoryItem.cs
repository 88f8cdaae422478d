using Ashlar.Images.Formats;

namespace Ashlar.Images.Store;

/// <summary>One step of an image's history with the layer it made (null for an empty_layer step).</summary>
public sealed record HistoryItem(HistoryEntry Entry, Descriptor? Layer);
