"""The three build tools, each behind the same three calls: available(), reset() and build_command().

reset() puts a tool in the 'cold' state (its build cache empty, the base image present locally) and is not
timed; build_command() is the exact command line that is timed.
"""

import os
import shutil
import subprocess
from pathlib import Path

DOCKER = "/usr/bin/docker"  # Debian's 20.10 client: the one on PATH may be a newer one that wants buildx.


def run_quiet(command, env=None, timeout=600):
    """Runs a setup command; returns (ok, last lines of its output)."""
    try:
        done = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as error:
        return False, str(error)
    tail = "\n".join(done.stdout.strip().splitlines()[-5:])
    return done.returncode == 0, tail


def unmount_under(root):
    """Lazily unmounts every mount below `root`, deepest first (a crashed build may leave overlays)."""
    prefix = str(root).rstrip("/") + "/"
    with open("/proc/self/mounts") as mounts:
        points = [line.split()[1] for line in mounts if line.split()[1].startswith(prefix)]
    for point in sorted(points, reverse=True):
        subprocess.run(["umount", "-l", point], stderr=subprocess.DEVNULL)


class Tool:
    name = ""
    label = ""
    # A process whose memory the build really uses, when that is not the client (dockerd for BuildKit).
    daemon_pid = None

    def __init__(self, settings):
        self.settings = settings
        self.unavailable = None  # a reason, when the tool cannot run here
        self.version = ""

    def env(self):
        return dict(os.environ)

    def tag(self, workload):
        return f"bench/{workload.name}:{self.name}"

    def build_flags(self, workload, context, phase):
        flags = ["-t", self.tag(workload), "-f", str(Path(context) / "Dockerfile")]
        args = {"BASE": self.settings.base, **workload.build_args(phase)}
        for key, value in args.items():
            flags += ["--build-arg", f"{key}={value}"]
        return flags


class BuildKit(Tool):
    """dockerd's embedded BuildKit through Debian's docker client (DOCKER_BUILDKIT=1 docker build)."""

    name = "buildkit"
    label = "BuildKit"

    def __init__(self, settings):
        super().__init__(settings)
        self.daemon_pid = settings.dockerd_pid
        if not settings.docker_host:
            self.unavailable = "no dockerd (bench/run did not start one)"
            return
        ok, out = run_quiet([DOCKER, "version", "--format", "{{.Server.Version}}"], env=self.env())
        if not ok:
            self.unavailable = f"dockerd does not answer: {out}"
        self.version = f"dockerd {out.strip()} (embedded BuildKit)" if ok else ""

    def env(self):
        return {**os.environ, "DOCKER_HOST": self.settings.docker_host, "DOCKER_BUILDKIT": "1"}

    def reset(self, workload):
        run_quiet([DOCKER, "image", "rm", "-f", self.tag(workload)], env=self.env())
        ok, out = run_quiet([DOCKER, "builder", "prune", "-af"], env=self.env())
        if not ok:
            return f"docker builder prune failed: {out}"
        ok, out = run_quiet([DOCKER, "pull", "-q", self.settings.base], env=self.env())
        return None if ok else f"docker pull {self.settings.base} failed: {out}"

    def build_command(self, workload, context, phase):
        return [DOCKER, "build", "--network", self.settings.network,
                *self.build_flags(workload, context, phase), str(context)]


class Buildah(Tool):
    """buildah with --layers (so it caches like the others), its storage under the work directory."""

    name = "buildah"
    label = "buildah"

    def __init__(self, settings):
        super().__init__(settings)
        self.root = Path(settings.work) / "buildah"
        if not shutil.which("buildah"):
            self.unavailable = "buildah is not installed"
            return
        ok, out = run_quiet(["buildah", "--version"])
        self.version = out.strip()

    def storage(self):
        return ["--root", str(self.root / "root"), "--runroot", str(self.root / "run"), "--storage-driver", "overlay"]

    def reset(self, workload):
        run_quiet(["buildah", *self.storage(), "rm", "--all"])
        ok, out = run_quiet(["buildah", *self.storage(), "rmi", "--all", "--force"])
        if not ok and "no images" not in out.lower():
            return f"buildah rmi --all failed: {out}"
        ok, out = run_quiet(["buildah", *self.storage(), "pull", "--tls-verify=false", "-q", self.settings.base])
        return None if ok else f"buildah pull {self.settings.base} failed: {out}"

    def build_command(self, workload, context, phase):
        return ["buildah", *self.storage(), "build", "--layers", "--tls-verify=false",
                "--network", self.settings.network, *self.build_flags(workload, context, phase), str(context)]


class Ashlar(Tool):
    """The NativeAOT ashlar that bench/run published from this checkout; its store under the work directory."""

    name = "ashlar"
    label = "Ashlar"

    def __init__(self, settings):
        super().__init__(settings)
        self.binary = settings.ashlar
        self.root = Path(settings.work) / "ashlar-root"
        if settings.ashlar_unavailable:
            self.unavailable = settings.ashlar_unavailable
            return
        if not self.binary or not os.access(self.binary, os.X_OK):
            self.unavailable = "no ashlar binary"
            return
        ok, out = run_quiet([self.binary, "--version"], env=self.env())
        self.version = f"ashlar {out.strip()}" if ok else "ashlar (version unknown)"
        ok, out = run_quiet([self.binary, "build", "--help"], env=self.env())
        if not ok:
            self.unavailable = f"'ashlar build' does not run: {out.splitlines()[-1] if out else 'no output'}"

    def env(self):
        return {**os.environ, "ASHLAR_ROOT": str(self.root)}

    def reset(self, workload):
        # Cold means an empty store plus the base image: wipe the store rather than trust prune.
        if self.root.exists():
            unmount_under(self.root)
            shutil.rmtree(self.root, ignore_errors=True)
        ok, out = run_quiet([self.binary, "pull", self.settings.base], env=self.env())
        return None if ok else f"ashlar pull {self.settings.base} failed: {out}"

    def build_command(self, workload, context, phase):
        return [self.binary, "build", "--network", self.settings.network,
                *self.build_flags(workload, context, phase), str(context)]


ALL = {tool.name: tool for tool in (Ashlar, BuildKit, Buildah)}
