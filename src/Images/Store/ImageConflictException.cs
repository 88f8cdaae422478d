namespace Ashlar.Images.Store;

/// <summary>An image cannot be removed without <c>--force</c> (docker's "conflict" error).</summary>
public sealed class ImageConflictException(string message) : Exception(message);
