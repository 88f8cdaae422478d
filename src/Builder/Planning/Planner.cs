using System.Globalization;
using Ashlar.Images.References;
using Ashlar.Parser;
using Ashlar.Parser.Instructions;
using Ashlar.Parser.Shell;

namespace Ashlar.Builder.Planning;

/// <summary>
/// Stages → a DAG: <c>FROM stage</c>, <c>COPY --from</c> and <c>RUN --mount from=</c> are edges. Keeps only what the
/// target needs, rejects cycles and bad references with the file and line, and orders the rest.
/// </summary>
internal static class Planner
{
    public static BuildPlan Plan(Dockerfile dockerfile, IReadOnlyDictionary<string, string> buildArgs,
        IReadOnlyList<KeyValuePair<string, string>> platformArgs, string? target)
    {
        var lexer = new ShellLexer(dockerfile.EscapeToken);
        var global = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in platformArgs)
            global[name] = buildArgs.TryGetValue(name, out var overridden) ? overridden : value;
        var declared = new HashSet<string>(StringComparer.Ordinal);
        foreach (var arg in dockerfile.GlobalArgs)
            foreach (var definition in arg.Args)
            {
                declared.Add(definition.Name);
                if (buildArgs.TryGetValue(definition.Name, out var given))
                    global[definition.Name] = given;
                else if (definition.Default is not null)
                    global[definition.Name] = Expand(lexer, definition.Default, global, dockerfile.FileName, arg);
            }

        var stages = new List<StagePlan>();
        foreach (var stage in dockerfile.Stages)
        {
            var baseName = Expand(lexer, stage.BaseName, global, dockerfile.FileName, stage.From);
            var platform = stage.Platform is null ? null : Expand(lexer, stage.Platform, global, dockerfile.FileName, stage.From);
            if (baseName.Length == 0)
                throw Error($"base name ({stage.BaseName}) should not be blank", dockerfile, stage.From);
            var dependencies = new List<int>();
            StageBaseKind kind;
            int? baseStage = null;
            var named = dockerfile.Stages.FirstOrDefault(s => s.Name is not null && s.Name == baseName.ToLowerInvariant() && s.Index != stage.Index);
            if (named is not null)
            {
                kind = StageBaseKind.Stage;
                baseStage = named.Index;
                dependencies.Add(named.Index);
            }
            else if (baseName.Equals("scratch", StringComparison.OrdinalIgnoreCase))
            {
                kind = StageBaseKind.Scratch;
            }
            else
            {
                if (!ImageReference.TryParse(baseName, out _))
                    throw Error($"invalid base image reference \"{baseName}\"", dockerfile, stage.From);
                kind = StageBaseKind.Image;
            }

            foreach (var instruction in stage.Instructions)
                foreach (var from in FromValues(instruction))
                {
                    var value = Expand(lexer, from, global, dockerfile.FileName, instruction);
                    var source = ResolveFrom(dockerfile, value);
                    if (source.Stage == stage.Index)
                        throw Error($"circular dependency detected on stage: {DisplayName(stage)} (--from={value} is the stage itself)", dockerfile, instruction);
                    if (source.Stage is { } dependency)
                        dependencies.Add(dependency);
                    else if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                        throw Error($"invalid stage index \"{value}\": the Dockerfile has {dockerfile.Stages.Count} stages (0 to {dockerfile.Stages.Count - 1})", dockerfile, instruction);
                    else if (!ImageReference.TryParse(value, out _))
                        throw Error($"invalid --from=\"{value}\": not a stage of this Dockerfile nor an image reference", dockerfile, instruction);
                }
            stages.Add(new StagePlan(stage, DisplayName(stage), kind, baseName, baseStage, platform, dependencies.Distinct().ToList()));
        }

        var targetIndex = dockerfile.Stages.Count - 1;
        if (target is not null)
        {
            var found = dockerfile.Stages.FirstOrDefault(s => s.Name == target.ToLowerInvariant());
            if (found is null)
            {
                var names = dockerfile.Stages.Where(s => s.Name is not null).Select(s => s.Name!).ToList();
                throw new BuildException($"failed to reach build target {target} in Dockerfile: no stage is named so"
                    + (names.Count > 0 ? $" (stages: {string.Join(", ", names)})" : " (no stage has a name: add FROM image AS name)"),
                    dockerfile.FileName) { IsInputError = true };
            }
            targetIndex = found.Index;
        }

        var order = new List<int>();
        var state = new int[stages.Count]; // 0 unvisited, 1 on the path, 2 done
        void Visit(int index, Instruction via, Stage viaStage)
        {
            if (state[index] == 2) return;
            if (state[index] == 1)
                throw Error($"circular dependency detected on stage: {stages[index].DisplayName}", dockerfile, via);
            state[index] = 1;
            var stage = stages[index].Stage;
            foreach (var dependency in stages[index].Dependencies)
                Visit(dependency, EdgeInstruction(stage, dependency, dockerfile), stage);
            state[index] = 2;
            order.Add(index);
        }
        Visit(targetIndex, dockerfile.Stages[targetIndex].From, dockerfile.Stages[targetIndex]);
        return new BuildPlan(dockerfile, stages, order, targetIndex, global, declared);
    }

    public static FromSource ResolveFrom(Dockerfile dockerfile, string from)
    {
        var lower = from.ToLowerInvariant();
        if (dockerfile.Stages.FirstOrDefault(s => s.Name == lower) is { } named)
            return new FromSource(named.Index, null);
        if (int.TryParse(from, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            return index < dockerfile.Stages.Count ? new FromSource(index, null) : new FromSource(null, null);
        return new FromSource(null, from);
    }

    public static string DisplayName(Stage stage) => stage.Name ?? $"stage-{stage.Index}";

    /// <summary>The <c>--from</c> values of an instruction (unexpanded): COPY --from and RUN --mount from=.</summary>
    public static IEnumerable<string> FromValues(Instruction instruction)
    {
        switch (instruction)
        {
            case CopyInstruction { From: { } from }:
                yield return from;
                break;
            case RunInstruction run:
                foreach (var mount in run.Mounts)
                    if (mount.From is { } mountFrom && mount.Type is MountType.Bind or MountType.Cache)
                        yield return mountFrom;
                break;
        }
    }

    // The line that makes the edge, for the error message of a cycle.
    private static Instruction EdgeInstruction(Stage stage, int dependency, Dockerfile dockerfile)
    {
        foreach (var instruction in stage.Instructions)
            foreach (var from in FromValues(instruction))
                if (ResolveFrom(dockerfile, from).Stage == dependency)
                    return instruction;
        return stage.From;
    }

    private static string Expand(ShellLexer lexer, string word, IReadOnlyDictionary<string, string> scope, string file, Instruction at)
    {
        try
        {
            return lexer.ProcessWord(word, scope);
        }
        catch (ParseError error)
        {
            throw new BuildException(error.Reason, file, at.Range.Start.Line) { IsInputError = true };
        }
    }

    private static BuildException Error(string message, Dockerfile dockerfile, Instruction at) =>
        new(message, dockerfile.FileName, at.Range.Start.Line) { IsInputError = true };
}
