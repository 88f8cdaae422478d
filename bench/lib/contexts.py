"""Deterministic build contexts: each workload's workload.py describes its files through these helpers.

Every workload gets its own random.Random seeded from a fixed number and the workload's name, so a context
is byte-identical on every machine and every run (the benchmark compares tools, not inputs).
"""

import base64
import importlib.util
import random
import shutil
import zlib
from pathlib import Path

SEED = 20261125


def rng_for(name):
    return random.Random(SEED ^ zlib.crc32(name.encode()))


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def text(rng, size):
    """Printable, line-broken pseudo-random text of exactly `size` bytes (compresses like source code, roughly)."""
    raw = base64.b64encode(rng.randbytes(size)).decode()
    lines = [raw[i:i + 75] for i in range(0, size, 76)]
    return ("\n".join(lines) + "\n").encode()[:size]


def binary(rng, size):
    return rng.randbytes(size)


class Workload:
    """A folder of bench/workloads: its Dockerfile plus the workload.py module that makes its context."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.name = self.folder.name
        spec = importlib.util.spec_from_file_location(f"workload_{self.name}", self.folder / "workload.py")
        self.module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(self.module)
        self.description = self.module.DESCRIPTION
        self.changed_file = self.module.CHANGED_FILE
        self._original = None

    def build_args(self, phase):
        """Build args for a phase (cold, noop, change); the workloads' own ones plus none of the harness's."""
        hook = getattr(self.module, "build_args", None)
        return dict(hook(phase)) if hook else {}

    def generate(self, context):
        """Writes the context into `context` (emptied first): the Dockerfile and the generated files."""
        context = Path(context)
        if context.exists():
            shutil.rmtree(context)
        context.mkdir(parents=True)
        shutil.copyfile(self.folder / "Dockerfile", context / "Dockerfile")
        self.module.generate(context, rng_for(self.name))
        self._original = (context / self.changed_file).read_bytes()
        return context

    def change(self, context, serial):
        """The one-file edit of the 'change' phase: a line appended to CHANGED_FILE (serial keeps runs distinct)."""
        write(Path(context) / self.changed_file, self._original + f"changed by the benchmark, #{serial}\n".encode())

    def restore(self, context):
        write(Path(context) / self.changed_file, self._original)


def discover(workloads_dir):
    """All workloads, in name order: folders holding both a Dockerfile and a workload.py."""
    folders = sorted(p for p in Path(workloads_dir).iterdir()
                     if (p / "Dockerfile").is_file() and (p / "workload.py").is_file())
    return [Workload(folder) for folder in folders]
