namespace Ashlar.Images.Formats;

/// <summary>The <c>{}</c> values of sets in a config, such as <c>ExposedPorts</c> and <c>Volumes</c>.</summary>
public sealed record EmptyObject
{
    /// <summary>The one value.</summary>
    public static readonly EmptyObject Instance = new();
}
