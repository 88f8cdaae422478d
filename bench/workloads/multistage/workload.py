"""4 stages, COPY --from between them, a 5,000-file context of about 20 MB."""

from contexts import binary, text, write

DESCRIPTION = "4-stage build, COPY --from between stages, 5,000-file (~20 MB) context"
# One source file: sources, index and the final stage rebuild; assets stays cached.
CHANGED_FILE = "src/pkg17/mod042.txt"


def generate(root, rng):
    # 40 packages x 100 text files and 1,000 binary assets, 1-7 KiB each (4 KiB on average).
    for package in range(40):
        for module in range(100):
            write(root / f"src/pkg{package:02}/mod{module:03}.txt", text(rng, rng.randint(1024, 7168)))
    for asset in range(1000):
        write(root / f"assets/a{asset // 100}/asset{asset:04}.bin", binary(rng, rng.randint(1024, 7168)))
    # Excluded by .dockerignore: never sent, never hashed.
    for note in range(20):
        write(root / f"notes/draft{note:02}.md", text(rng, 2048))
    write(root / ".dockerignore", b"notes/\n*.swp\n")
