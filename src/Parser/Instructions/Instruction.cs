using System.Text.Json.Serialization;

namespace Ashlar.Parser.Instructions;

/// <summary>
/// One typed Dockerfile instruction (BuildKit's <c>instructions.Command</c>): its validated flags and arguments and
/// where it came from. Arguments are kept as written (quotes included) where BuildKit expands them later: expand them
/// with <see cref="Shell.ShellLexer"/> when <see cref="ExpandsVariables"/> is true.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "instruction")]
[JsonDerivedType(typeof(FromInstruction), "FROM")]
[JsonDerivedType(typeof(RunInstruction), "RUN")]
[JsonDerivedType(typeof(CmdInstruction), "CMD")]
[JsonDerivedType(typeof(EntrypointInstruction), "ENTRYPOINT")]
[JsonDerivedType(typeof(ShellInstruction), "SHELL")]
[JsonDerivedType(typeof(LabelInstruction), "LABEL")]
[JsonDerivedType(typeof(MaintainerInstruction), "MAINTAINER")]
[JsonDerivedType(typeof(ExposeInstruction), "EXPOSE")]
[JsonDerivedType(typeof(EnvInstruction), "ENV")]
[JsonDerivedType(typeof(AddInstruction), "ADD")]
[JsonDerivedType(typeof(CopyInstruction), "COPY")]
[JsonDerivedType(typeof(VolumeInstruction), "VOLUME")]
[JsonDerivedType(typeof(UserInstruction), "USER")]
[JsonDerivedType(typeof(WorkdirInstruction), "WORKDIR")]
[JsonDerivedType(typeof(ArgInstruction), "ARG")]
[JsonDerivedType(typeof(OnbuildInstruction), "ONBUILD")]
[JsonDerivedType(typeof(StopSignalInstruction), "STOPSIGNAL")]
[JsonDerivedType(typeof(HealthcheckInstruction), "HEALTHCHECK")]
public abstract record Instruction
{
    /// <summary>The keyword in upper case (<c>RUN</c>).</summary>
    [JsonIgnore]
    public abstract string Keyword { get; }

    /// <summary>Where the instruction is, continuation and heredoc lines included.</summary>
    public required SourceRange Range { get; init; }

    /// <summary>The logical line as written (continuations joined), e.g. for build output.</summary>
    public required string Original { get; init; }

    /// <summary>
    /// True when BuildKit expands <c>$VAR</c> in this instruction's arguments (ADD, COPY, ENV, EXPOSE, FROM, LABEL,
    /// STOPSIGNAL, USER, VOLUME, WORKDIR, ARG); false for RUN, CMD, ENTRYPOINT, SHELL, HEALTHCHECK, MAINTAINER and
    /// ONBUILD, whose text is left for the shell (or the later build).
    /// </summary>
    [JsonIgnore]
    public virtual bool ExpandsVariables => false;
}
