namespace Ashlar.Builder.Solving;

/// <summary>
/// Runs the planned stages: each waits for the stages it depends on, then takes one of <c>--jobs</c> slots, so
/// independent stages run in parallel. The first failure cancels the rest and is the one reported.
/// </summary>
internal static class Solver
{
    public static async Task<StageResult> SolveAsync(BuildSession session, CancellationToken cancellationToken)
    {
        var plan = session.Plan;
        using var failure = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var slots = new SemaphoreSlim(Math.Max(1, session.Request.Jobs));
        var tasks = new Dictionary<int, Task<StageResult>>();

        Task<StageResult> ResultOf(int index) =>
            tasks.TryGetValue(index, out var task) ? task
                : throw new BuildException($"stage {plan[index].DisplayName} is not part of this build (an ONBUILD --from cannot add stages)");

        async Task<StageResult> RunStageAsync(int index)
        {
            var stage = plan[index];
            foreach (var dependency in stage.Dependencies)
                await ResultOf(dependency).ConfigureAwait(false);
            await slots.WaitAsync(failure.Token).ConfigureAwait(false);
            try
            {
                return await new StageRunner(session, stage, ResultOf).RunAsync(failure.Token).ConfigureAwait(false);
            }
            catch
            {
                await failure.CancelAsync().ConfigureAwait(false);
                throw;
            }
            finally
            {
                slots.Release();
            }
        }

        foreach (var index in plan.Order)
            tasks[index] = RunStageAsync(index);
        try
        {
            await Task.WhenAll(tasks.Values).ConfigureAwait(false);
        }
        catch
        {
            // The root cause, not the cancellations it caused in the other stages.
            var errors = tasks.Values.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).ToList();
            var cause = errors.FirstOrDefault(e => e is not OperationCanceledException);
            if (cause is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(cause);
            throw;
        }
        return tasks[plan.Target].Result;
    }
}
