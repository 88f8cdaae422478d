#!/usr/bin/env python3
"""Runs the workloads with each tool and writes the table and the JSON. bench/run sets up the services and
calls this; run it directly only with the same settings (see bench/run).

Order: for each run, for each workload, the tools in turn (the order rotates from run to run so that none
always goes first), and for each tool its three phases back to back:
  cold    reset (build cache emptied, base image present; not timed), then a build
  noop    the same build again, nothing changed
  change  one file of the context edited (not timed), then a build; the file is restored afterwards
"""

import argparse
import datetime
import os
import platform
import signal
import sys
import time
from pathlib import Path

import contexts
import measure
import report
import tools as tool_kinds


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workloads", default="all", help="comma separated names, or all")
    parser.add_argument("--tools", default="ashlar,buildkit,buildah")
    parser.add_argument("--work", required=True, help="scratch directory (contexts, stores, logs)")
    parser.add_argument("--base", required=True, help="the base image reference every Dockerfile gets as BASE")
    parser.add_argument("--network", default="host", help="RUN network mode for every tool: host or none")
    parser.add_argument("--docker-host", default="")
    parser.add_argument("--dockerd-pid", type=int, default=None)
    parser.add_argument("--ashlar", default="", help="the published ashlar binary")
    parser.add_argument("--ashlar-unavailable", default="", help="why Ashlar cannot run (publish failed, ...)")
    parser.add_argument("--timeout", type=int, default=900, help="seconds one build may take")
    parser.add_argument("--settle", type=float, default=0,
                        help="seconds to wait after each reset's writeback, before the cold build")
    parser.add_argument("--json", required=True)
    parser.add_argument("--markdown", default="")
    return parser.parse_args()


def machine():
    with open("/proc/meminfo") as meminfo:
        total_kb = int(meminfo.readline().split()[1])
    try:
        pretty = next(line.split("=", 1)[1].strip().strip('"') for line in open("/etc/os-release")
                      if line.startswith("PRETTY_NAME="))
    except (OSError, StopIteration):
        pretty = platform.system()
    model = ""
    try:
        model = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"cpus": os.cpu_count(), "cpu_model": model, "memory_gib": round(total_kb / 1024 / 1024, 1),
            "kernel": platform.release(), "os": pretty,
            # Other work on the machine skews every figure; the 1-minute load average says how much there was.
            "load_average_1m": round(os.getloadavg()[0], 1)}


def log(message):
    print(message, file=sys.stderr, flush=True)


def main():
    args = parse_args()
    here = Path(__file__).resolve().parent
    work = Path(args.work)

    available_workloads = contexts.discover(here.parent / "workloads")
    if args.workloads != "all":
        wanted = [name.strip() for name in args.workloads.split(",") if name.strip()]
        known = {w.name for w in available_workloads}
        unknown = [name for name in wanted if name not in known]
        if unknown:
            sys.exit(f"bench: unknown workload(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        available_workloads = [w for w in available_workloads if w.name in wanted]
    workloads = available_workloads

    names = [name.strip() for name in args.tools.split(",") if name.strip()]
    for name in names:
        if name not in tool_kinds.ALL:
            sys.exit(f"bench: unknown tool {name}; known: {', '.join(tool_kinds.ALL)}")
    settings = args
    tools = [tool_kinds.ALL[name](settings) for name in tool_kinds.ALL if name in names]
    for tool in tools:
        log(f"bench: {tool.label}: " + (f"n/a ({tool.unavailable})" if tool.unavailable else tool.version))

    context_dirs = {}
    for workload in workloads:
        generating = time.perf_counter()
        context_dirs[workload.name] = workload.generate(work / "contexts" / workload.name)
        log(f"bench: context for {workload.name} generated in {time.perf_counter() - generating:.1f} s")

    results = {w.name: {phase: {t.name: [] for t in tools} for phase in report.PHASES} for w in workloads}
    runnable = [tool for tool in tools if not tool.unavailable]
    started = datetime.datetime.now(datetime.timezone.utc)
    args.load_at_start = round(os.getloadavg()[0], 1)
    summary = None
    for run in range(1, args.runs + 1):
        order = runnable[(run - 1) % len(runnable):] + runnable[:(run - 1) % len(runnable)] if runnable else []
        for workload in workloads:
            context = context_dirs[workload.name]
            for tool in order:
                cycle(tool, workload, context, run, args, results[workload.name], work)
        # Written after every run, so an interrupted benchmark still leaves the runs it finished.
        summary = write_results(args, tools, workloads, results, started, run)

    print()
    print(f"Medians of {args.runs} run(s); wall seconds, then ratios, then peak RSS in MB "
          f"(BuildKit: dockerd's peak during the build).")
    print(report.plain_table(summary, tools))
    print(f"\nJSON: {args.json}")


def write_results(args, tools, workloads, results, started, runs_done):
    """Writes the JSON (and the Markdown table) for the runs done so far; returns the summary."""
    summary = report.summarise_all(results, [t.name for t in tools])
    finished = datetime.datetime.now(datetime.timezone.utc)
    document = {
        "schema": 1,
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {"runs": args.runs, "runs_done": runs_done, "network": args.network, "base": args.base,
                     "timeout_s": args.timeout, "load_average_1m_at_start": args.load_at_start},
        "tools": {t.name: {"label": t.label, "version": t.version, "unavailable": t.unavailable} for t in tools},
        "workloads": {w.name: {"description": w.description, "changed_file": w.changed_file,
                               "phases": summary[w.name], "samples": results[w.name]} for w in workloads},
    }
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    report.write_json(args.json, document)
    if args.markdown:
        Path(args.markdown).write_text(
            f"Measured {started:%Y-%m-%d %H:%M} UTC, medians of {runs_done} run(s); "
            f"{document['machine']['cpus']} CPUs ({document['machine']['cpu_model']}), "
            f"{document['machine']['memory_gib']} GiB, {document['machine']['os']}, "
            f"kernel {document['machine']['kernel']}; 1-minute load average {args.load_at_start} at the start, "
            f"{document['machine']['load_average_1m']} at the end."
            f"\n\n" + report.markdown_table(summary, tools))
    return summary

def cycle(tool, workload, context, run, args, results, work):
    """Cold, no-op and one-file-change builds of one workload by one tool."""
    logs = work / "logs" / f"run{run}"
    prefix = f"bench: run {run}/{args.runs} {workload.name:12} {tool.name:8}"
    reset_started = time.perf_counter()
    error = tool.reset(workload)
    # The reset deletes a store; its writeback must not land on the timed build, whichever tool comes next.
    # On ext4 without a journal, inodes deleted in the last 60 s are scanned past one by one when new ones are
    # allocated, so a build right after a big delete pays for it: --settle waits that out (65 s does).
    os.sync()
    time.sleep(args.settle)
    log(f"{prefix} reset  {time.perf_counter() - reset_started:8.2f} s (not counted)")
    if error:
        log(f"{prefix} reset failed: {error}")
        for phase in report.PHASES:
            results[phase][tool.name].append({"ok": False, "error": f"reset failed: {error}"})
        return
    for phase in report.PHASES:
        if phase == "change":
            workload.change(context, run)
        try:
            sample = measure.timed_build(tool.build_command(workload, context, phase), tool.env(),
                                         logs / f"{workload.name}-{tool.name}-{phase}.log",
                                         tool.daemon_pid, args.timeout)
        finally:
            if phase == "change":
                workload.restore(context)
        # Relative to the scratch directory: the JSON may be committed, a path of this machine may not.
        sample["log"] = str(Path(sample["log"]).relative_to(work))
        if sample.get("error"):
            sample["error"] = sample["error"].replace(str(work), "$WORK")
        results[phase][tool.name].append(sample)
        status = f"{sample['wall_s']:8.2f} s" if sample["ok"] else f"FAILED: {sample.get('error')}"
        log(f"{prefix} {phase:6} {status}")
        if not sample["ok"]:
            # Without a good first build the later phases would measure something else; record why.
            for later in report.PHASES[report.PHASES.index(phase) + 1:]:
                results[later][tool.name].append({"ok": False, "error": f"skipped: {phase} build failed"})
            return


def stop_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    main()
