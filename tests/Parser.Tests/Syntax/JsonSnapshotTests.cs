using Ashlar.Parser.Json;
using Newtonsoft.Json.Linq;
using Snapshooter.Xunit;

namespace Ashlar.Parser.Tests.Syntax;

/// <summary>Whole typed trees, where one snapshot says more than a hundred asserts.</summary>
public sealed class JsonSnapshotTests
{
    [Fact]
    public void Multi_stage_build()
    {
        var file = DockerfileParser.Parse("""
            # syntax=docker/dockerfile:1
            # check=error=true
            ARG GO_VERSION=1.22
            FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-alpine AS build
            WORKDIR /src
            ENV CGO_ENABLED=0 GOFLAGS="-trimpath"
            RUN --mount=type=cache,target=/root/.cache/go-build \
                --mount=type=bind,target=. \
                --mount=type=secret,id=netrc,target=/root/.netrc,required \
                go build -o /out/app ./cmd/app
            FROM scratch
            LABEL org.opencontainers.image.title="app" maintainer=me
            COPY --from=build --chmod=0755 --link /out/app /app
            USER 65532:65532
            EXPOSE 8080/tcp
            HEALTHCHECK --interval=30s --timeout=3s CMD ["/app", "health"]
            STOPSIGNAL SIGTERM
            ENTRYPOINT ["/app"]
            CMD serve --port 8080
            """, "multi-stage.Dockerfile");

        Snapshot.Match(JToken.Parse(DockerfileJson.Serialize(file)));
    }

    [Fact]
    public void Heredocs_onbuild_and_shell()
    {
        var file = DockerfileParser.Parse("""
            FROM debian:bookworm
            SHELL ["/bin/bash", "-o", "pipefail", "-c"]
            RUN <<-EOT bash
            	set -e
            	echo "$HOME"
            	EOT
            COPY <<'EOF' /etc/motd
            Hello, $USER
            EOF
            ADD --checksum=sha256:0000000000000000000000000000000000000000000000000000000000000000 --unpack=true https://example.com/a.tar.gz /opt/
            ONBUILD RUN echo triggered
            VOLUME ["/data"]
            ARG --required TOKEN
            """, "heredocs.Dockerfile");

        Snapshot.Match(JToken.Parse(DockerfileJson.Serialize(file)));
    }

    [Fact]
    public void Hello_sample()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "Builder.sln")))
            root = root.Parent ?? throw new DirectoryNotFoundException("Builder.sln not found above the test assembly");
        var text = File.ReadAllText(Path.Combine(root.FullName, "samples", "hello", "Dockerfile"));

        Snapshot.Match(JToken.Parse(DockerfileJson.Serialize(DockerfileParser.Parse(text, "samples/hello/Dockerfile"))));
    }
}
