namespace Ashlar.Builder;

/// <summary>Progress of a build, in BuildKit's terms: numbered steps (vertices) that start, print and finish.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Step">The step number (<c>#N</c>), 0 for build-wide events.</param>
/// <param name="Name">The step's name, e.g. <c>[build 2/4] RUN make</c>.</param>
/// <param name="Text">An output line, warning or error message.</param>
/// <param name="Elapsed">Time since the step started (or since the build started for build-wide events).</param>
/// <param name="Cached">On <see cref="BuildEventKind.StepCached"/> and <see cref="BuildEventKind.StepDone"/>: whether the step's result came from the cache.</param>
/// <param name="Reason">On a step that ran although it could have been cached: why it missed (e.g. <c>COPY src/ . missed: input "src/a.txt" changed</c>).</param>
public sealed record BuildEvent(BuildEventKind Kind, int Step, string Name, string? Text, TimeSpan Elapsed, bool Cached = false, string? Reason = null);
