using System.Globalization;
using Ashlar.Builder;

namespace Ashlar.Cli.Progress;

/// <summary>
/// What every human view prints once the build ended, as docker buildx does: warnings, then the image (or the failing
/// step's last lines in a <c>------</c> block, the Dockerfile excerpt and <c>ERROR: failed to solve: ...</c>).
/// </summary>
internal static class BuildSummary
{
    public static void WriteSucceeded(TextWriter output, BuildResult result, IReadOnlyList<string> warnings)
    {
        WriteWarnings(output, warnings);
        foreach (var tag in result.Tags) output.WriteLine($"naming to {tag} done");
        output.WriteLine($"writing image {result.ConfigDigest} done");
    }

    public static void WriteFailed(TextWriter output, BuildException error, TimelineStep? failed, IReadOnlyList<string> warnings)
    {
        WriteWarnings(output, warnings);
        if (failed is not null)
        {
            output.WriteLine("------");
            output.WriteLine($" > {failed.Name}:");
            foreach (var line in failed.Tail) output.WriteLine($"{Seconds(line.At, 3)} {line.Text}");
            output.WriteLine("------");
        }
        if (error.Excerpt.Count > 0)
        {
            output.WriteLine($"{error.File}:{error.Line}");
            output.WriteLine("--------------------");
            foreach (var line in error.Excerpt) output.WriteLine(line);
            output.WriteLine("--------------------");
        }
        var message = error.Excerpt.Count > 0 ? error.Reason : error.Message;
        // A failing RUN's error carries its last lines for library callers; here the block above already shows them.
        if (failed is not null) message = message.Split('\n')[0];
        output.WriteLine($"ERROR: failed to solve: {message}");
    }

    public static void WriteCanceled(TextWriter output) => output.WriteLine("ERROR: build canceled");

    /// <summary>Seconds as BuildKit prints them: <c>0.123</c> before an output line, <c>0.3</c> in <c>DONE 0.3s</c>.</summary>
    public static string Seconds(TimeSpan elapsed, int decimals) =>
        elapsed.TotalSeconds.ToString(decimals == 3 ? "0.000" : "0.0", CultureInfo.InvariantCulture);

    private static void WriteWarnings(TextWriter output, IReadOnlyList<string> warnings)
    {
        foreach (var warning in warnings) output.WriteLine($"WARNING: {warning}");
    }
}
