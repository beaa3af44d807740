"""Generate ``benchmarks.md`` from ``benchmarks/results/*.json`` at build time.

The JSON files are written by the benchmark scripts through ``benchmarks/_results.py`` (each records the
machine, the library versions, the date and the exact command); the page shows every table with them.
"""
from __future__ import annotations

import importlib.util
import math
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GROUPS = {  # the order and headings of the page; unknown groups follow in name order
    "homework": "The homework replay and chain",
    "neuromatch": "The Neuromatch tutorial models",
    "sweeps": "The sweep engine",
    "coba": "COBA and COBA-STP networks against Brian2, NEST and brainpy",
    "scaling": "Network scaling",
    "delivery": "Event delivery",
    "capacity": "Delay-ring layouts",
}


def _results_module():
    spec = importlib.util.spec_from_file_location("_bench_results", ROOT / "benchmarks" / "_results.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def fmt(v) -> str:
    """A table cell: numbers in at most 4 significant digits, large/small ones as 7.7e8."""
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v:,}" if abs(v) >= 10_000 else str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            return str(v)
        if v != 0 and (abs(v) >= 1e5 or abs(v) < 1e-3):
            m, e = f"{v:.2e}".split("e")
            return f"{m.rstrip('0').rstrip('.')}e{int(e)}"
        return f"{v:.4g}"
    return str(v).replace("|", "\\|")


def table(rec: dict) -> list[str]:
    cols = rec["columns"]
    out = ["| " + " | ".join(c.replace("_", " ") for c in cols) + " |", "|" + " --- |" * len(cols)]
    for r in rec["rows"]:
        out.append("| " + " | ".join(fmt(r.get(c)) for c in cols) + " |")
    return out


def describe(m: dict) -> str:
    """The machine in words: its recorded description, else its accelerator or its core count and processor."""
    if m.get("description"):
        return str(m["description"])
    dev = str(m.get("device", ""))
    if dev and not dev.startswith("cpu"):
        n = m.get("device_count") or 1
        return f"{n} × {dev.split(':', 1)[-1].strip()}" if n > 1 else f"one {dev.split(':', 1)[-1].strip()}"
    proc = m.get("processor")
    cores = f"{m['cpu_count']}-core CPU" if m.get("cpu_count") else "CPU"
    return f"{cores} ({proc})" if proc and proc != "not recorded" else cores


def load(m: dict) -> str:
    """The machine's 1-minute load as recorded (at the start and at the end), against its core count."""
    start, end = m.get("load_1min_start"), m.get("load_1min")
    if end is None and start is None:
        return "not recorded" + (" (idle)" if "idle" in str(m.get("description", "")) else "")
    if start is not None and end is not None and start != end:
        text = f"{start:.2f} at the start, {end:.2f} at the end"
    else:
        text = f"{end if end is not None else start:.2f}"
    cores = m.get("cpu_count")
    return f"{text} on {cores} cores" if cores else text


def provenance(rec: dict) -> list[str]:
    m = rec["machine"]
    machine = describe(m)
    bits = [str(m["device"])] if "device" in m else []
    bits += [f"{m['cpu_count']} CPUs"] if m.get("cpu_count") else []
    bits += [str(m["processor"])] if m.get("processor") not in (None, "", "not recorded") else []
    bits += [str(m["platform"])] if m.get("platform") else []
    v = ", ".join(f"{k} {val}" for k, val in rec["versions"].items())
    lines = [f"- **command:** `{rec['command']}`",
             f"- **date:** {rec['date']}; **machine:** {machine} ({'; '.join(bits)})",
             f"- **load average (1 min):** {load(m)}",
             f"- **versions:** {v}"]
    if rec.get("source") == "transcribed":
        lines.append("- transcribed from the README's measured tables; rerun the command to replace it")
    return lines


def render(records: list[dict]) -> str:
    lines = ["# Benchmarks", "",
             "Generated at build time from `benchmarks/results/*.json`, which the benchmark scripts write "
             "(`benchmarks/_results.py`). Absolute times hold only for the machine they ran on; ratios between "
             "contenders measured in the same run are what to compare. Every table names its command, so each "
             "number can be re-measured.", ""]
    if not records:
        return "\n".join(lines + ["No results yet: run a script in `benchmarks/`.", ""])
    groups: dict[str, list[dict]] = {}
    for r in records:
        groups.setdefault(r["benchmark"], []).append(r)
    order = [g for g in GROUPS if g in groups] + sorted(set(groups) - set(GROUPS))
    for g in order:
        lines += [f"## {GROUPS.get(g, g)}", ""]
        titles: dict[str, list[dict]] = {}
        for r in groups[g]:
            titles.setdefault(r["title"], []).append(r)
        for title, recs in titles.items():
            lines += [f"### {title}", ""]
            # the idle 2-core machine (the project's own) first, then by core count
            for r in sorted(recs, key=lambda r: (r["machine"].get("cpu_count") or 0, r["name"])):
                m = r["machine"]
                lines += [f"#### {describe(m)}", ""]
                lines += table(r) + [""]
                if r.get("notes"):
                    lines += [r["notes"], ""]
                lines += provenance(r) + [""]
    return "\n".join(lines)


def write_page(path: Path, results_dir: Path | None = None) -> int:
    """Write the page; return how many result files it shows. Malformed files fail the build."""
    mod = _results_module()
    records = mod.load_all(results_dir)
    for r in records:
        problems = mod.validate(r)
        if problems:
            raise ValueError(f"benchmarks/results/{r.get('name', '?')}.json: {'; '.join(problems)}")
    text = render(records)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    return len(records)
