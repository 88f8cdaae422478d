namespace Ashlar.Builder;

/// <summary>What a <see cref="BuildEvent"/> reports.</summary>
public enum BuildEventKind
{
    /// <summary>A step started.</summary>
    StepStarted,
    /// <summary>A line of a step's output.</summary>
    StepOutput,
    /// <summary>A step finished.</summary>
    StepDone,
    /// <summary>A step's result came from the cache.</summary>
    StepCached,
    /// <summary>A step failed; <see cref="BuildEvent.Text"/> holds the error.</summary>
    StepFailed,
    /// <summary>A warning about the build (e.g. an unused build argument).</summary>
    Warning,
}
