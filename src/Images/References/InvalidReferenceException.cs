namespace Ashlar.Images.References;

/// <summary>An image reference that docker would not accept either; the message names it and says why.</summary>
public sealed class InvalidReferenceException(string reference, string reason)
    : FormatException($"invalid reference \"{reference}\": {reason}")
{
    /// <summary>The text that was given.</summary>
    public string Reference { get; } = reference;

    /// <summary>What is wrong with it.</summary>
    public string Reason { get; } = reason;
}
