"""Medians, ratios, the stdout table, the Markdown table and the JSON document."""

import json
import statistics

PHASES = ("cold", "noop", "change")
PHASE_LABELS = {"cold": "cold", "noop": "no-op", "change": "1 file"}


def memory_kb(tool_name, sample):
    """The peak RSS that stands for a build's memory: the daemon's for BuildKit, the process tree's otherwise."""
    if tool_name == "buildkit":
        return sample.get("daemon_peak_rss_kb")
    return sample.get("peak_rss_kb")


def summarise(tool_name, samples):
    """Median figures over the successful samples of one tool in one phase."""
    good = [s for s in samples if s.get("ok")]
    summary = {"runs": len(samples), "ok_runs": len(good)}
    if not good:
        errors = [s.get("error") for s in samples if s.get("error")]
        summary["error"] = errors[-1] if errors else "did not run"
        return summary
    summary["median_wall_s"] = round(statistics.median(s["wall_s"] for s in good), 3)
    summary["min_wall_s"] = min(s["wall_s"] for s in good)
    summary["max_wall_s"] = max(s["wall_s"] for s in good)
    memory = [memory_kb(tool_name, s) for s in good if memory_kb(tool_name, s) is not None]
    if memory:
        summary["median_peak_rss_mb"] = round(statistics.median(memory) / 1024, 1)
    deltas = [s["daemon_rss_delta_kb"] for s in good if s.get("daemon_rss_delta_kb") is not None]
    if deltas:
        summary["median_daemon_rss_delta_mb"] = round(statistics.median(deltas) / 1024, 1)
    clients = [s["peak_rss_kb"] for s in good if s.get("peak_rss_kb") is not None]
    if tool_name == "buildkit" and clients:
        summary["median_client_rss_mb"] = round(statistics.median(clients) / 1024, 1)
    hits = [s["cache_hits"] for s in good if s.get("cache_hits") is not None]
    if hits:
        summary["median_cache_hits"] = statistics.median(hits)
    cpu = [s["cpu_s"] + s.get("daemon_cpu_s", 0) for s in good if s.get("cpu_s") is not None]
    if cpu:
        summary["median_cpu_s"] = round(statistics.median(cpu), 2)
    return summary


def ratio(numerator, denominator):
    if not numerator or not denominator or "median_wall_s" not in numerator or "median_wall_s" not in denominator:
        return None
    if denominator["median_wall_s"] <= 0:
        return None
    return round(numerator["median_wall_s"] / denominator["median_wall_s"], 2)


def summarise_all(results, tool_names):
    """results[workload][phase][tool] = samples  ->  the same shape with summaries, plus ratios per phase."""
    summary = {}
    for workload, phases in results.items():
        summary[workload] = {}
        for phase in PHASES:
            row = {tool: summarise(tool, phases.get(phase, {}).get(tool, [])) for tool in tool_names}
            ratios = {}
            if "ashlar" in row:
                for other in ("buildkit", "buildah"):
                    if other in row:
                        ratios[f"ashlar/{other}"] = ratio(row["ashlar"], row[other])
            summary[workload][phase] = {"tools": row, "ratios": ratios}
    return summary


def cell_time(summary, unavailable):
    if unavailable:
        return "n/a"
    if "median_wall_s" not in summary:
        return "FAIL" if summary.get("runs") else "-"
    text = f"{summary['median_wall_s']:.2f}"
    if summary["ok_runs"] < summary["runs"]:
        text += f" ({summary['ok_runs']}/{summary['runs']})"
    return text


def cell_memory(summary):
    value = summary.get("median_peak_rss_mb")
    return f"{value:.0f}" if value is not None else "n/a"


def cell_ratio(value):
    return f"{value:.2f}" if value is not None else "-"


def table_rows(summary, tools):
    """Header and rows shared by the plain and the Markdown table."""
    names = [tool.name for tool in tools]
    header = ["workload", "phase"] + [f"{tool.label} s" for tool in tools]
    ratio_keys = [f"ashlar/{other}" for other in ("buildkit", "buildah") if "ashlar" in names and other in names]
    header += [{"ashlar/buildkit": "A/BK", "ashlar/buildah": "A/BA"}[key] for key in ratio_keys]
    header += [f"{tool.label} MB" for tool in tools]
    rows = []
    for workload, phases in summary.items():
        for phase in PHASES:
            entry = phases[phase]
            row = [workload, PHASE_LABELS[phase]]
            row += [cell_time(entry["tools"][tool.name], tool.unavailable) for tool in tools]
            row += [cell_ratio(entry["ratios"].get(key)) for key in ratio_keys]
            row += [cell_memory(entry["tools"][tool.name]) for tool in tools]
            rows.append(row)
    return header, rows


def failures(summary, tools):
    """Footnotes: why a cell says FAIL or n/a."""
    notes = []
    for tool in tools:
        if tool.unavailable:
            notes.append(f"{tool.label}: n/a, {tool.unavailable}")
    for workload, phases in summary.items():
        for phase in PHASES:
            for tool in tools:
                entry = phases[phase]["tools"][tool.name]
                if not tool.unavailable and entry.get("error"):
                    notes.append(f"{tool.label} {workload} {PHASE_LABELS[phase]}: {entry['error']}")
    return notes


def plain_table(summary, tools):
    header, rows = table_rows(summary, tools)
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    lines = ["  ".join(cell.ljust(width) if index < 2 else cell.rjust(width)
                       for index, (cell, width) in enumerate(zip(line, widths))) for line in [header] + rows]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines + [""] + failures(summary, tools))


def markdown_table(summary, tools):
    header, rows = table_rows(summary, tools)
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---", "---"] + ["---:"] * (len(header) - 2)) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    notes = failures(summary, tools)
    if notes:
        lines += [""] + [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"


def write_json(path, document):
    with open(path, "w") as out:
        json.dump(document, out, indent=1, sort_keys=False)
        out.write("\n")
