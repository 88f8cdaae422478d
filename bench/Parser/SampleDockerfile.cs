using System.Text;

namespace Ashlar.Parser.Benchmarks;

/// <summary>A deterministic, realistic Dockerfile of a given number of instructions (a mix of every common shape).</summary>
internal static class SampleDockerfile
{
    public static string Create(int instructions)
    {
        var text = new StringBuilder("# syntax=docker/dockerfile:1\nARG BASE=debian:bookworm\n");
        var count = 1;
        for (var i = 0; count < instructions; i++)
        {
            var line = (i % 50) switch
            {
                0 => $"FROM ${{BASE}} AS stage{i}\n",
                _ => (i % 10) switch
                {
                    0 => "RUN apt-get update \\\n    && apt-get install -y --no-install-recommends curl ca-certificates \\\n    && rm -rf /var/lib/apt/lists/*\n",
                    1 => $"COPY --from=stage0 --chown=app:app --chmod=0644 --link src/{i}/ /app/{i}/\n",
                    2 => $"ENV APP_HOME=/app PATH=\"/app/bin:$PATH\" VERSION_{i}=1.{i}\n",
                    3 => $"RUN --mount=type=cache,target=/root/.cache,sharing=locked --mount=type=bind,target=/src go build -o /out/{i} ./cmd/{i}\n",
                    4 => $"LABEL org.opencontainers.image.revision=\"{i}\" maintainer=\"team <team@example.com>\"\n",
                    5 => $"ARG FEATURE_{i}=on\n",
                    6 => "WORKDIR /app\n",
                    7 => "RUN [\"/bin/sh\", \"-c\", \"echo exec form\"]\n",
                    8 => "# a comment line between instructions\nEXPOSE 8080/tcp 9090\n",
                    _ => "RUN <<EOF\nset -e\necho heredoc\nEOF\n",
                },
            };
            text.Append(line);
            count++;
        }
        return text.ToString();
    }
}
