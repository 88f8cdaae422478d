"""30 consecutive RUN steps, then one small COPY."""

from contexts import text, write

DESCRIPTION = "30 consecutive RUN steps, then one COPY of a small file"
CHANGED_FILE = "config.txt"


def generate(root, rng):
    write(root / "config.txt", text(rng, 512))
