using Ashlar.Builder;
using Ashlar.Cli.Progress;

namespace Ashlar.Cli.Tests.Progress;

/// <summary>The plain log when steps of parallel stages print in turns, fed events directly.</summary>
public sealed class PlainInterleavingTests
{
    [Fact]
    public async Task A_step_that_prints_after_another_gets_its_header_again_after_a_blank_line()
    {
        var output = new StringWriter { NewLine = "\n" };
        var view = new PlainProgress(output);
        view.Report(new BuildEvent(BuildEventKind.StepStarted, 1, "[a 2/2] RUN make a", null, TimeSpan.Zero));
        view.Report(new BuildEvent(BuildEventKind.StepStarted, 2, "[b 2/2] RUN make b", null, TimeSpan.Zero));
        view.Report(new BuildEvent(BuildEventKind.StepCacheMiss, 1, "[a 2/2] RUN make a", null, TimeSpan.Zero, Reason: "RUN make a missed: input \"a.c\" changed"));
        view.Report(new BuildEvent(BuildEventKind.StepOutput, 1, "[a 2/2] RUN make a", "from a", TimeSpan.FromSeconds(0.25)));
        view.Report(new BuildEvent(BuildEventKind.StepOutput, 2, "[b 2/2] RUN make b", "from b", TimeSpan.FromSeconds(0.5)));
        view.Report(new BuildEvent(BuildEventKind.StepDone, 1, "[a 2/2] RUN make a", null, TimeSpan.FromSeconds(1.04)));
        view.Report(new BuildEvent(BuildEventKind.StepCached, 2, "[b 2/2] RUN make b", null, TimeSpan.Zero));
        await view.SucceededAsync(new BuildResult { ImageDigest = "sha256:m", ConfigDigest = "sha256:c" });

        Assert.Equal("""
            #1 [a 2/2] RUN make a

            #2 [b 2/2] RUN make b

            #1 [a 2/2] RUN make a
            #1 RUN make a missed: input "a.c" changed
            #1 0.250 from a

            #2 [b 2/2] RUN make b
            #2 0.500 from b

            #1 [a 2/2] RUN make a
            #1 DONE 1.0s

            #2 [b 2/2] RUN make b
            #2 CACHED

            writing image sha256:c done

            """, output.ToString());
    }
}
