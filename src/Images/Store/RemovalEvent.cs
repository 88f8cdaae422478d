namespace Ashlar.Images.Store;

/// <summary>What <c>rmi</c> did, in docker's words: <c>Untagged: busybox:latest</c> or <c>Deleted: sha256:...</c>.</summary>
/// <param name="Kind">"Untagged" or "Deleted".</param>
/// <param name="Subject">The reference untagged or the ID deleted.</param>
public sealed record RemovalEvent(string Kind, string Subject)
{
    /// <inheritdoc />
    public override string ToString() => $"{Kind}: {Subject}";
}
