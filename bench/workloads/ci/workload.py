"""A build-arg parameterised CI build; the phases are CI jobs (cache behaviour under changing build args)."""

from contexts import text, write

DESCRIPTION = ("CI build parameterised by build args: deps, build, test and release stages; "
               "no-op = same commit with a new CI_JOB_ID (undeclared: must hit), "
               "change = one source file and BUILD_NUMBER+1")
CHANGED_FILE = "src/module017.txt"


def build_args(phase):
    # cold and noop are two jobs for the same commit; change is the next commit's job.
    return {
        "VERSION": "1.4.0",
        "BUILD_NUMBER": "2" if phase == "change" else "1",
        "CI_JOB_ID": {"cold": "1001", "noop": "1002", "change": "1003"}[phase],
    }


def generate(root, rng):
    deps = "".join(f"dep{index:03} {rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 99)}\n"
                   for index in range(100))
    write(root / "deps.txt", deps.encode())
    for index in range(200):
        write(root / f"src/module{index:03}.txt", text(rng, rng.randint(500, 5000)))
