namespace Ashlar.Builder.Planning;

/// <summary>Where <c>--from</c> points: a stage (by index) or an image reference.</summary>
internal sealed record FromSource(int? Stage, string? Image);
