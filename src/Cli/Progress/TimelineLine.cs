namespace Ashlar.Cli.Progress;

/// <summary>An output line and when (since its step started) it came.</summary>
internal readonly record struct TimelineLine(TimeSpan At, string Text);
