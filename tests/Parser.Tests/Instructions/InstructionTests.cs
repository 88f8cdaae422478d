using Ashlar.Parser.Instructions;

namespace Ashlar.Parser.Tests.Instructions;

public sealed class InstructionTests
{
    private static T Single<T>(string line) where T : Instruction =>
        Assert.IsType<T>(Assert.Single(DockerfileParser.Parse("FROM alpine\n" + line + "\n").Stages[0].Instructions));

    private static ParseError Rejected(string text) => Assert.Throws<ParseError>(() => DockerfileParser.Parse(text));

    [Fact]
    public void Run_records_exec_or_shell_form_network_and_security()
    {
        var shell = Single<RunInstruction>("RUN --network=none --security=insecure make  all");
        Assert.Equal(new CommandLine(["make  all"], false).Arguments, shell.Command.Arguments);
        Assert.True(shell.Command.PrependShell);
        Assert.Equal(NetworkMode.None, shell.Network);
        Assert.Equal(SecurityMode.Insecure, shell.Security);

        var exec = Single<RunInstruction>("RUN [\"make\", \"all\"]");
        Assert.True(exec.Command.IsExecForm);
        Assert.Equal(["make", "all"], exec.Command.Arguments);
        Assert.Equal(NetworkMode.Default, exec.Network);
        Assert.Equal(SecurityMode.Sandbox, exec.Security);
        Assert.Equal(NetworkMode.Host, Single<RunInstruction>("RUN --network=host true").Network);
    }

    [Theory]
    [InlineData("RUN --network=bridge true", "unsupported network mode \"bridge\"")]
    [InlineData("RUN --security=root true", "security \"root\" is not valid")]
    [InlineData("RUN --mnt=type=cache true", "unknown flag: --mnt; did you mean --mount?")]
    [InlineData("RUN --network=none --network=host true", "duplicate flag specified: --network")]
    [InlineData("RUN --network true", "missing a value on flag: --network")]
    [InlineData("COPY --checksum=sha256:abc a b", "unknown flag: --checksum")]
    [InlineData("COPY --link=maybe a b", "expecting boolean value for flag link, not: maybe")]
    [InlineData("ADD --from=x a b", "unknown flag: --from")]
    [InlineData("WORKDIR --mode=1 /x", "unknown flag: --mode; WORKDIR takes no flags")]
    [InlineData("COPY onlyone", "COPY requires at least two arguments")]
    [InlineData("SHELL /bin/sh -c", "SHELL requires the arguments to be in JSON form")]
    [InlineData("CMD [\"a\", 1]", "arrays must be comprised of strings only")]
    [InlineData("WORKDIR", "WORKDIR requires exactly one argument")]
    [InlineData("ENV", "ENV requires at least one argument")]
    [InlineData("ENV a=1 b", "can't find = in \"b\"")]
    [InlineData("LABEL onlykey", "LABEL must have two arguments")]
    [InlineData("ARG =x", "ARG names can not be blank")]
    [InlineData("EXPOSE", "EXPOSE requires at least one argument")]
    [InlineData("VOLUME [\"\"]", "VOLUME specified can not be an empty string")]
    [InlineData("ONBUILD ONBUILD RUN x", "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")]
    [InlineData("ONBUILD FROM alpine", "FROM isn't allowed as an ONBUILD trigger")]
    [InlineData("ONBUILD MAINTAINER me", "MAINTAINER isn't allowed as an ONBUILD trigger")]
    [InlineData("HEALTHCHECK NONE x", "HEALTHCHECK NONE takes no arguments")]
    [InlineData("HEALTHCHECK CMD", "Missing command after HEALTHCHECK CMD")]
    [InlineData("HEALTHCHECK CONNECT TCP 7000", "Unknown type \"CONNECT\" in HEALTHCHECK (try CMD)")]
    [InlineData("HEALTHCHECK --interval=5 CMD true", "invalid duration \"5\"")]
    [InlineData("HEALTHCHECK --timeout=10us CMD true", "Interval \"timeout\" cannot be less than 1ms")]
    [InlineData("HEALTHCHECK --retries=-1 CMD true", "--retries cannot be negative (-1)")]
    [InlineData("STOPSIGNAL", "STOPSIGNAL requires exactly one argument")]
    public void Invalid_instructions_are_rejected_with_a_reason(string line, string message)
    {
        var error = Rejected("FROM alpine\n" + line + "\n");
        Assert.Contains(message, error.Message);
        Assert.Equal(2, error.Line);
        Assert.Equal("Dockerfile", error.File);
    }

    [Fact]
    public void Copy_reads_every_flag()
    {
        var copy = Single<CopyInstruction>("COPY --from=build --chown=app:app --chmod=0644 --link --parents --exclude=*.md --exclude=tmp/ a/ b/ /dst/");

        Assert.Equal(["a/", "b/"], copy.Sources);
        Assert.Equal("/dst/", copy.Destination);
        Assert.Equal(("build", "app:app", "0644"), (copy.From, copy.Chown, copy.Chmod));
        Assert.True(copy.Link);
        Assert.True(copy.Parents);
        Assert.Equal(["*.md", "tmp/"], copy.Excludes);
    }

    [Fact]
    public void Add_reads_every_flag()
    {
        var add = Single<AddInstruction>("ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d --keep-git-dir=true --unpack=false --link=false --chown=1 --chmod=600 --exclude=x https://example.com/a.tar.gz /a/");

        Assert.StartsWith("sha256:2445", add.Checksum);
        Assert.True(add.KeepGitDir);
        Assert.False(add.Unpack);
        Assert.False(add.Link);
        Assert.Equal(("1", "600"), (add.Chown, add.Chmod));
        Assert.Equal(["x"], add.Excludes);
        Assert.Null(Single<AddInstruction>("ADD a b").Unpack);
    }

    [Fact]
    public void Copy_json_form_keeps_spaces()
    {
        var copy = Single<CopyInstruction>("COPY [\"my file\", \"/dst dir/\"]");
        Assert.Equal(["my file"], copy.Sources);
        Assert.Equal("/dst dir/", copy.Destination);
    }

    [Fact]
    public void Env_label_and_arg_keep_raw_values()
    {
        var env = Single<EnvInstruction>("ENV A=1 B=\"two words\" C=three\\ words");
        Assert.Equal([new KeyValue("A", "1", false), new KeyValue("B", "\"two words\"", false), new KeyValue("C", "three\\ words", false)], env.Variables);
        Assert.Equal([new KeyValue("PATH", "/a b", true)], Single<EnvInstruction>("ENV PATH /a b").Variables);
        Assert.Equal("maintainer", Single<LabelInstruction>("LABEL maintainer=\"me <me@x>\"").Labels[0].Key);

        var arg = Single<ArgInstruction>("ARG --required A B=2 C=");
        Assert.Equal([new ArgDefinition("A", null), new ArgDefinition("B", "2"), new ArgDefinition("C", "")], arg.Args);
        Assert.True(arg.Required);
    }

    [Fact]
    public void Healthcheck_reads_timing_flags()
    {
        var check = Single<HealthcheckInstruction>("HEALTHCHECK --interval=1m30s --timeout=500ms --start-period=2s --start-interval=1.5s --retries=3 CMD curl -f http://localhost/");

        Assert.Equal(["CMD-SHELL", "curl -f http://localhost/"], check.Test);
        Assert.Equal(TimeSpan.FromSeconds(90), check.Interval);
        Assert.Equal(TimeSpan.FromMilliseconds(500), check.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(2), check.StartPeriod);
        Assert.Equal(TimeSpan.FromSeconds(1.5), check.StartInterval);
        Assert.Equal(3, check.Retries);
        Assert.Equal(["CMD", "true"], Single<HealthcheckInstruction>("HEALTHCHECK CMD [\"true\"]").Test);
        Assert.True(Single<HealthcheckInstruction>("HEALTHCHECK none").IsNone);
    }

    [Fact]
    public void Cmd_falls_back_to_shell_form_on_invalid_json()
    {
        var cmd = Single<CmdInstruction>("CMD ['single', 'quotes']");
        Assert.False(cmd.Command.IsExecForm);
        Assert.Equal(["['single', 'quotes']"], cmd.Command.Arguments);
        Assert.Equal(["sh", "-c"], Single<ShellInstruction>("SHELL [\"sh\", \"-c\"]").Shell);
        Assert.Empty(Single<EntrypointInstruction>("ENTRYPOINT []").Command.Arguments);
    }

    [Fact]
    public void Simple_instructions_keep_their_argument()
    {
        Assert.Equal("app:app", Single<UserInstruction>("USER app:app").User);
        Assert.Equal("/srv/app", Single<WorkdirInstruction>("WORKDIR /srv/app").Path);
        Assert.Equal("SIGQUIT", Single<StopSignalInstruction>("STOPSIGNAL SIGQUIT").Signal);
        Assert.Equal("Jane <j@x>", Single<MaintainerInstruction>("MAINTAINER Jane <j@x>").Maintainer);
        Assert.Equal(["443/tcp", "80"], Single<ExposeInstruction>("EXPOSE 80 443/tcp").Ports);
        Assert.Equal(["/a", "/b"], Single<VolumeInstruction>("VOLUME /a /b").Volumes);
    }

    [Fact]
    public void Onbuild_parses_its_trigger()
    {
        var onbuild = Single<OnbuildInstruction>("onbuild copy --chown=1 . /app");

        Assert.Equal("copy --chown=1 . /app", onbuild.Expression);
        var copy = Assert.IsType<CopyInstruction>(onbuild.Trigger);
        Assert.Equal("1", copy.Chown);
    }

    [Fact]
    public void Expansion_is_declared_per_instruction()
    {
        var file = DockerfileParser.Parse("FROM a\nRUN x\nCMD x\nENV a=b\nCOPY a b\nWORKDIR /x\nHEALTHCHECK NONE\n");
        Assert.True(file.Stages[0].From.ExpandsVariables);
        Assert.Equal([false, false, true, true, true, false], file.Stages[0].Instructions.Select(i => i.ExpandsVariables));
    }
}
