using Ashlar.Builder;

// Usage: library-client CONTEXT [TAG]
if (args.Length is < 1 or > 2)
{
    Console.Error.WriteLine("usage: library-client CONTEXT [TAG]");
    return 2;
}

var request = new BuildRequest
{
    ContextDirectory = args[0],
    Tags = args.Length == 2 ? [args[1]] : [],
    BuildArgs = new Dictionary<string, string> { ["VERSION"] = "from-library" },
    Labels = new Dictionary<string, string> { ["built.by"] = "library-client" },
};

// Progress arrives as BuildKit-like steps: started, output lines, done.
var progress = new Progress<BuildEvent>(e =>
{
    switch (e.Kind)
    {
        case BuildEventKind.StepStarted: Console.WriteLine($"#{e.Step} {e.Name}"); break;
        case BuildEventKind.StepOutput: Console.WriteLine($"#{e.Step} | {e.Text}"); break;
        case BuildEventKind.StepDone: Console.WriteLine($"#{e.Step} done in {e.Elapsed.TotalSeconds:0.0}s"); break;
        case BuildEventKind.Warning: Console.WriteLine($"warning: {e.Text}"); break;
    }
});

try
{
    var result = await Builder.BuildAsync(request, progress);
    Console.WriteLine($"image {result.ImageDigest} (id {result.ConfigDigest})");
    return 0;
}
catch (BuildException e)
{
    Console.Error.WriteLine(e.Message);
    foreach (var line in e.Excerpt) Console.Error.WriteLine(line);
    return 1;
}
