namespace Ashlar.Images.Store;

/// <summary>No image in the store answers to the name or ID given.</summary>
public sealed class ImageNotFoundException(string nameOrId)
    : Exception($"No such image: {nameOrId}")
{
    /// <summary>What was asked for.</summary>
    public string NameOrId { get; } = nameOrId;
}
