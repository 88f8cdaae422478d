"""One timed build: wall time around the process, peak RSS and CPU from /usr/bin/time -v, and, for a tool
whose work happens in a daemon, the daemon's own peak RSS and CPU over the same interval."""

import os
import re
import signal
import subprocess
import time
from pathlib import Path

TIME = "/usr/bin/time"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class Daemon:
    """Reads a daemon's memory and CPU around a build through /proc.

    Writing 5 to /proc/PID/clear_refs resets the kernel's peak-RSS mark (VmHWM) to the current RSS, so VmHWM read
    after the build is the daemon's peak during that build, not since it started.
    """

    def __init__(self, pid):
        self.pid = pid
        self.rss_before_kb = None
        self.cpu_before = None

    def _status(self, field):
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return None

    def _cpu_seconds(self):
        # utime, stime, and the children it reaped (runc, the shims): fields 14-17 of /proc/PID/stat.
        with open(f"/proc/{self.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return sum(int(value) for value in fields[11:15]) / CLOCK_TICKS

    def start(self):
        try:
            with open(f"/proc/{self.pid}/clear_refs", "w") as clear:
                clear.write("5")
            self.rss_before_kb = self._status("VmRSS")
            self.cpu_before = self._cpu_seconds()
        except OSError:
            self.rss_before_kb = None

    def stop(self):
        if self.rss_before_kb is None:
            return {}
        try:
            peak = self._status("VmHWM")
            cpu = self._cpu_seconds() - self.cpu_before
        except OSError:
            return {}
        return {"daemon_peak_rss_kb": peak, "daemon_rss_delta_kb": peak - self.rss_before_kb,
                "daemon_cpu_s": round(cpu, 3)}


def parse_time_v(text):
    """The figures we keep from GNU time's -v report."""
    def number(label):
        match = re.search(rf"^\s*{re.escape(label)}:\s*([0-9.]+)\s*$", text, re.MULTILINE)
        return float(match.group(1)) if match else None

    rss = number("Maximum resident set size (kbytes)")
    user, system = number("User time (seconds)"), number("System time (seconds)")
    return {"peak_rss_kb": int(rss) if rss is not None else None,
            "cpu_s": round(user + system, 3) if user is not None and system is not None else None}


def timed_build(command, env, log_path, daemon_pid=None, timeout=900):
    """Runs `command` once; returns a sample dict (ok, wall_s, peak_rss_kb, cpu_s, daemon figures, error)."""
    log_path = Path(log_path)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    time_report = log_path.with_suffix(".time")
    daemon = Daemon(daemon_pid) if daemon_pid else None
    if daemon:
        daemon.start()
    started = time.perf_counter()
    with open(log_path, "w") as log:
        log.write("$ " + " ".join(command) + "\n")
        log.flush()
        # A session of its own, so a timeout ends the build and everything it started, and nothing else.
        process = subprocess.Popen([TIME, "-v", "-o", str(time_report), *command], env=env, stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            code = process.wait(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            code = process.wait()
            timed_out = True
        except BaseException:
            # Interrupted (bench/run's cleanup sends SIGTERM): the build must not outlive the benchmark.
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise
    wall = time.perf_counter() - started
    sample = {"ok": code == 0 and not timed_out, "wall_s": round(wall, 3), "exit_code": code, "log": str(log_path)}
    if daemon:
        sample.update(daemon.stop())
    try:
        sample.update(parse_time_v(time_report.read_text()))
    except OSError:
        pass
    sample["cache_hits"] = cache_hits(log_path)
    if timed_out:
        sample["error"] = f"timed out after {timeout} s"
    elif code != 0:
        sample["error"] = last_error_line(log_path) or f"exit code {code}"
    return sample


def last_error_line(log_path):
    """The most telling line of a failed build's output: the last one mentioning an error, else the last one."""
    lines = [line.strip() for line in Path(log_path).read_text(errors="replace").splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith(("Command exited with non-zero status", "$ "))]
    for line in reversed(lines):
        if "error" in line.lower() or "failed" in line.lower():
            return line[:300]
    return lines[-1][:300] if lines else None


# BuildKit's (and Ashlar's BuildKit-like) "#7 CACHED", buildah's "--> Using cache <id>".
CACHE_HIT = re.compile(r"^(#\d+ CACHED\b|--> Using cache\b)", re.MULTILINE)


def cache_hits(log_path):
    """How many steps the tool reported as served from its cache (a no-op rebuild should hit them all)."""
    return len(CACHE_HIT.findall(Path(log_path).read_text(errors="replace")))
