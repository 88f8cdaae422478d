"""50 COPY instructions of one small file each."""

from contexts import text, write

DESCRIPTION = "50 COPY instructions of one small file each"
CHANGED_FILE = "conf/25.conf"


def generate(root, rng):
    for index in range(1, 51):
        write(root / f"conf/{index:02}.conf", text(rng, rng.randint(100, 2000)))
