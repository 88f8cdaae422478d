"""One RUN writing a 256 MB layer, half random, half compressible; then a small COPY."""

from contexts import text, write

DESCRIPTION = "one RUN writing a 256 MB layer (128 MB random, 128 MB compressible), then one small COPY"
CHANGED_FILE = "app.txt"


def generate(root, rng):
    write(root / "app.txt", text(rng, 1024))
