"""Render README's "Speed at a glance" table from ``benchmarks/results/*.json`` and write it into README.md.

    python benchmarks/readme_table.py           # rewrite the block between the speed-table markers
    python benchmarks/readme_table.py --check   # exit 1 (and say so) if README's block is not the rendering

The block between ``<!-- speed-table:start -->`` and ``<!-- speed-table:end -->`` is generated: one row per
workload below, each taken from one results file, whose machine, date, load and command are listed under the
table. A benchmark script rewrites its file; rerun this script to bring README up to date (the tests fail
while the two differ: ``tests/benchmarks/test_readme_table.py``).
"""
from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
README = ROOT / "README.md"
START, END = "<!-- speed-table:start -->", "<!-- speed-table:end -->"

WIDTH = 115  # the README's prose width
Rec = dict[str, Any]


def num(v: Any, digits: int = 2) -> str:
    """7.7e8 for large and small numbers, otherwise ``digits`` significant digits (strings pass through)."""
    if v is None:
        return "—"
    if isinstance(v, str):
        return v
    v = float(v)
    if v != 0 and (abs(v) >= 1e4 or abs(v) < 1e-3):
        m, e = f"{v:.{digits - 1}e}".split("e")
        return f"{m}e{int(e)}"
    out = f"{v:.{digits}g}"
    return out if "e" not in out else f"{v:.0f}"


def _two(v: float) -> str:
    """Two significant digits, keeping a trailing zero (2.0, not 2); integers from 100 on."""
    return f"{v:.1f}" if 1 <= v < 10 else f"{v:.0f}" if v >= 10 else num(v)


def seconds(v: float) -> str:
    return f"{_two(v * 1e3)} ms" if v < 0.1 else f"{_two(v)} s"


def ratio(v: float) -> str:
    return f"**{_two(v)}×**"


def _row(rec: Rec, key: str, value: Any) -> Rec:
    for r in rec["rows"]:
        if r.get(key) == value:
            return r
    raise KeyError(f"{rec['name']}.json has no row with {key} = {value!r}")


def _homework_replay(rec: Rec) -> list[str]:
    r = rec["rows"][0]
    return ["homework replay, 8 settings, cold (compile + run)", seconds(r["stp_brainpy_cold_s"]),
            f"brainpy `bp.synapses.STP` × 8 `DSRunner`: {seconds(r['brainpy_cold_s'])} ({ratio(r['ratio_cold'])})"]


def _homework_chain(rec: Rec) -> list[str]:
    r = rec["rows"][0]
    return [f"homework chain, {r['settings']:,} settings × 1,500 steps", f"**{num(r['synapse_steps_per_s'])}** "
            "synapse-steps/s", "— (target 1e8)"]


def _efficacies(rec: Rec) -> list[str]:
    r = rec["rows"][0]  # the engine's default sweep() call
    return [f"single-synapse efficacies, {r['settings']:,} settings × 10 spikes", f"**{num(r['per_s'])}** "
            "settings/s", "— (target 1e7)"]


def _neuromatch(rec: Rec) -> list[str]:
    r = rec["rows"][0]
    return ["Neuromatch bonus model, 1 trial (100 STP synapses, 1 s)", seconds(r["stp_brainpy_s"]),
            f"tutorial NumPy: {seconds(r['numpy_s'])} ({ratio(r['speedup'])})"]


def _coba(rec: Rec) -> list[str]:
    ours = _row(rec, "contender", "stp_brainpy")["sim_s"]
    peers = [("Brian2 cpp_standalone", "brian2-cpp_standalone"), ("NEST", "nest-2t"), ("brainpy", "brainpy-builtin")]
    have = {r["contender"]: r for r in rec["rows"]}
    cells = [f"{label} {seconds(have[c]['sim_s'])}" for label, c in peers if c in have]
    return ["COBA-STP, 4,000 neurons, 1 s: simulation", f"**{seconds(ours)}**", ", ".join(cells) or "—"]


def _coba_process(rec: Rec) -> list[str]:
    have = {r["contender"]: r for r in rec["rows"]}
    ours, theirs = have.get("stp_brainpy-warm"), have.get("brian2-cpp_standalone-warm")
    mine = "—" if ours is None else f"**{seconds(ours['process_s'])}** (cold {seconds(ours['cold_process_s'])})"
    peer = "—" if theirs is None else (f"Brian2 cpp_standalone, warm build folder: {seconds(theirs['process_s'])}"
                                       f" (cold {seconds(theirs['cold_process_s'])})")
    if ours is not None and theirs is not None:
        peer += f" ({ratio(theirs['process_s'] / ours['process_s'])})"
    return ["COBA-STP, 4,000 neurons, 1 s: whole process (import + build + compile + run), warm caches", mine, peer]


def _family(rec: Rec) -> list[str]:
    engine = [r for r in rec["rows"] if r["contender"].startswith("engine")]
    det = [r["per_s"] for r in engine if not r["model"].startswith("quantal")]
    quantal = [r for r in engine if r["model"].startswith("quantal")]
    cell = f"tm, markram, tm3: **{num(min(det))}–{num(max(det))}** settings/s"
    if quantal:
        cell += f"; {quantal[0]['model']}: **{num(quantal[0]['per_s'])}** settings·trials/s"
    return ["STP family through `sweep()`, 1e6 settings × 10 spikes", cell, "— (targets 1e7, 1e6)"]


def _coba_hetero(rec: Rec) -> list[str]:
    have = {r["contender"]: r for r in rec["rows"]}
    ours, homo = have["stp_brainpy-hetero"]["sim_s"], have["stp_brainpy"]["sim_s"]
    peers = [("Brian2 cpp_standalone", "brian2-hetero-cpp_standalone"), ("NEST", "nest-hetero-1t")]
    cells = [f"{label} {seconds(have[c]['sim_s'])}" for label, c in peers if c in have]
    return ["COBA-STP 4,000, per-synapse Gupta parameters: simulation",
            f"**{seconds(ours)}** ({ours / homo:.2f}× homogeneous)", ", ".join(cells) or "—"]


def _scaling(rec: Rec) -> list[str]:
    ours = {r["neurons"]: r for r in rec["rows"] if r["contender"] == "stp_brainpy"}
    peer = {r["neurons"]: r for r in rec["rows"] if r["contender"] != "stp_brainpy"}
    sizes = sorted(ours)
    label = " / ".join(f"{n // 1000}k" for n in sizes)
    mine = " / ".join(seconds(ours[n]["s_per_sim_s"]) for n in sizes)
    theirs = " / ".join(f"{seconds(peer[n]['s_per_sim_s'])} ({ratio(peer[n]['x_sim'])})" for n in sizes if n in peer)
    return [f"COBA-STP {label} neurons (in-degree 80), s per simulated s", mine, f"Brian2 cpp_standalone {theirs}"]


def _gpu_chain(rec: Rec) -> list[str]:
    r = rec["rows"][0]
    rate = r.get("throughput") or f"{num(r['per_s'])} synapse-steps/s"
    return [f"H100: {r['problem']}", str(rate), "—"]


# (results file, its row of the table); the order is the table's
ROWS: list[tuple[str, Callable[[Rec], list[str]]]] = [
    ("homework-replay-cpu2", _homework_replay),
    ("homework-throughput-cpu2", _homework_chain),
    ("sweeps-efficacy-cpu2", _efficacies),
    ("neuromatch-cpu2", _neuromatch),
    ("coba-stp-cpu2", _coba),
    ("coba-stp-cpu2", _coba_process),
    ("coba-stp-hetero-cpu2", _coba_hetero),
    ("scaling-cpu2", _scaling),
    ("family", _family),
    ("sweeps-h100", _gpu_chain),
]


def load(name: str, results_dir: Path = RESULTS) -> Rec:
    return json.loads((results_dir / f"{name}.json").read_text())


def machine(rec: Rec) -> str:
    m = rec["machine"]
    dev = str(m.get("device", ""))
    what = dev.split(":", 1)[1].strip() if dev.startswith("gpu") else f"{m.get('cpu_count')}-core CPU"
    start, end = m.get("load_1min_start"), m.get("load_1min")
    if end is None:
        load_ = "idle" if "idle" in str(m.get("description", "")) else "load not recorded"
    elif start is not None and start != end:
        load_ = f"load {start:.1f} → {end:.1f}"
    else:
        load_ = f"load {end:.1f}"
    return f"{what}, {load_}"


def render(results_dir: Path = RESULTS) -> str:
    """The generated block (without the markers)."""
    intro = ("Generated by `python benchmarks/readme_table.py` from `benchmarks/results/*.json` (every table, "
             "with versions, is on the docs' benchmarks page). Absolute times hold for the machine named under the "
             "table; on the shared 2-core machine (load > 1 per core) they are upper bounds, and the ratios "
             "within one row, measured in one run, are what to compare.")
    lines = [*_wrap(intro), "",
             "| workload | stp_brainpy | peer (same run) | command | data |", "| --- | --- | --- | --- | --- |"]
    notes = []
    for i, (name, row) in enumerate(ROWS, 1):
        rec = load(name, results_dir)
        cells = row(rec) + [f"`{rec['command']}`", f"[{i}]"]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        kind = "" if rec.get("source", "measured") == "measured" else f", {rec['source']}"
        notes.append(f"[{i}] `{name}.json`: {rec['date']}, {machine(rec)}{kind}")
    return "\n".join(lines + ["", *_wrap("; ".join(notes) + ".")])


def _wrap(text: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, break_on_hyphens=False, break_long_words=False)


def splice(text: str, block: str) -> str:
    """``text`` with the part between the markers replaced by ``block``."""
    if text.count(START) != 1 or text.count(END) != 1 or text.index(START) > text.index(END):
        raise ValueError(f"README.md must hold {START} and then {END} once each")
    head, rest = text.split(START)
    _, tail = rest.split(END)
    return f"{head}{START}\n{block}\n{END}{tail}"


def current(text: str) -> str:
    """The block between the markers as it stands."""
    return text.split(START, 1)[1].split(END, 1)[0].strip("\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only check that README's block is up to date")
    args = ap.parse_args(argv)
    text = README.read_text(encoding="utf-8")
    try:
        block = render()
        new = splice(text, block)
    except (OSError, KeyError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.check:
        if new != text:
            print("README.md's speed table differs from benchmarks/results/*.json: run python "
                  "benchmarks/readme_table.py", file=sys.stderr)
            return 1
        return 0
    if new != text:
        README.write_text(new, encoding="utf-8")
        print("README.md: speed table rewritten")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
