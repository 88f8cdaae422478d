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
    /// <summary>A step missed the cache and will run; <see cref="BuildEvent.Reason"/> says why (e.g. which input changed).</summary>
    StepCacheMiss,
    /// <summary>A step waits for something another step or build holds (e.g. a <c>sharing=locked</c> cache mount); <see cref="BuildEvent.Text"/> says what.</summary>
    StepWaiting,
    /// <summary>A step failed; <see cref="BuildEvent.Text"/> holds the error.</summary>
    StepFailed,
    /// <summary>A warning about the build (e.g. an unused build argument).</summary>
    Warning,
}
