"""Write a benchmark's measured rows to ``benchmarks/results/<name>.json`` with their provenance.

Every benchmark script calls :func:`write_results` once per table it measures; the documentation's
benchmarks page is generated from these files at build time (``docs/_ext/benchmarks_page.py``), so a
number on the page always carries the machine, the library versions, the date and the exact command
that produced it. Absolute times hold only for the machine they ran on; ratios are what we quote.

Schema (``"schema": 1``)::

    {"schema": 1, "name": str, "benchmark": str, "title": str, "date": "YYYY-MM-DD",
     "command": str, "machine": {"platform", "cpu_count", "processor", "device", "load_1min",
                                 "load_1min_start", ...},
     "versions": {"python", "jax", "jaxlib", "brainpy", "numpy", "stp-brainpy", ...},
     "columns": [str, ...], "rows": [{column: value, ...}, ...], "notes": str, "source": str}

``source`` is ``"measured"`` for files written by a script and ``"transcribed"`` for numbers copied from
an earlier write-up (the README's tables), whose command and date are those of the original measurement.

``machine["load_1min"]`` is the 1-minute load average when the file was written and ``load_1min_start`` the
one when this module was imported (the script's start): on a shared machine absolute times are lower bounds,
and :func:`write_results` says so in ``notes`` when the load exceeded half the cores.
"""
from __future__ import annotations

import datetime
import importlib.metadata
import json
import os
import platform
import shlex
import sys
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

RESULTS_DIR = Path(__file__).resolve().parent / "results"
SCHEMA = 1
REQUIRED = ("schema", "name", "benchmark", "title", "date", "command", "machine", "versions", "columns", "rows")
_DISTS = ("jax", "jaxlib", "brainpy", "numpy", "stp-brainpy", "xarray", "brian2", "nest-simulator")
# environment variables that change what a benchmark measures, recorded with the command
_ENV = ("JAX_PLATFORMS", "XLA_FLAGS", "CUDA_VISIBLE_DEVICES", "STP_BRAINPY_NATIVE", "OMP_NUM_THREADS")


def load_1min() -> float | None:
    """The 1-minute load average (None where the platform has none)."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):  # pragma: no cover - Windows
        return None


# the scripts import this module first thing, so this is the load when the measurement started
LOAD_AT_START = load_1min()


def machine() -> dict[str, Any]:
    """Platform, CPU count, processor and (when jax is already imported) the default device."""
    info: dict[str, Any] = {"platform": platform.platform(), "cpu_count": os.cpu_count(),
                            "processor": platform.processor() or platform.machine()}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["processor"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    if "jax" in sys.modules:  # never import jax here: the brian2 / NEST contenders run without it
        try:
            dev = sys.modules["jax"].devices()[0]
            info["device"] = f"{dev.platform}: {getattr(dev, 'device_kind', dev.platform)}"
            info["device_count"] = len(sys.modules["jax"].devices())
        except Exception:  # pragma: no cover - a broken backend must not lose the measurement
            pass
    info["load_1min"] = load_1min()
    if LOAD_AT_START is not None:
        info["load_1min_start"] = LOAD_AT_START
    return info


def machine_tag() -> str:
    """Short name of this kind of machine for result file stems: ``cpu2`` (2 cores), ``h100`` (the GPU's kind)."""
    jax = sys.modules.get("jax")
    if jax is not None:
        try:
            dev = jax.devices()[0]
            if dev.platform != "cpu":
                kind = str(getattr(dev, "device_kind", dev.platform)).lower()
                words = [w for w in kind.replace("-", " ").split() if w not in ("nvidia", "tesla", "amd")]
                return "".join(ch for ch in (words[0] if words else dev.platform) if ch.isalnum())
        except Exception:  # pragma: no cover
            pass
    return f"cpu{os.cpu_count()}"


def load_note(info: Mapping[str, Any]) -> str:
    """A sentence on the machine's load when it exceeded half the cores ("" on a quiet machine)."""
    loads = [v for v in (info.get("load_1min_start"), info.get("load_1min")) if v is not None]
    cores = info.get("cpu_count") or 1
    if not loads or max(loads) <= cores / 2:
        return ""
    return (f"Load average (1 min) {loads[0]:.2f} at the start, {loads[-1]:.2f} at the end on {cores} cores: the "
            "machine was shared, so absolute times are upper bounds (rates lower bounds); compare ratios.")


def versions(extra: Iterable[str] = ()) -> dict[str, str]:
    """Python and the installed versions of the libraries a benchmark can touch (absent ones left out)."""
    out = {"python": platform.python_version()}
    for dist in (*_DISTS, *extra):
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            pass
    return out


def command(argv: Sequence[str] | None = None) -> str:
    """The command line that ran this process, with the environment variables that matter."""
    argv = list(sys.argv if argv is None else argv)
    env = [f"{k}={shlex.quote(os.environ[k])}" for k in _ENV if k in os.environ]
    script = argv[0] if argv else ""
    try:  # repository-relative script path, so the command reads the same on every machine
        script = os.path.relpath(os.path.abspath(script), RESULTS_DIR.parent.parent)
    except ValueError:
        pass
    return " ".join([*env, "python", shlex.join([script, *argv[1:]])]).strip()


def write_results(name: str, rows: Sequence[Mapping[str, Any]], *, title: str, benchmark: str | None = None,
                  columns: Sequence[str] | None = None, notes: str = "", cmd: str | None = None,
                  out_dir: str | os.PathLike | None = None, extra_versions: Iterable[str] = (),
                  **fields: Any) -> Path:
    """Write ``rows`` (one mapping per table row) to ``<out_dir>/<name>.json`` and return the path.

    Parameters
    ----------
    name : str
        File stem, e.g. ``"homework-replay-cpu"``; one file per table and machine kind, overwritten by a
        later run.
    rows : sequence of mappings
        The table, one mapping per row; values must be JSON-serialisable (numbers, strings, None).
    title : str
        One line saying what was measured.
    benchmark : str, optional
        Group on the benchmarks page (default: the part of ``name`` before the first ``-``).
    columns : sequence of str, optional
        Column order (default: the keys of the first row, then any new keys of later rows).
    notes : str
        What a reader needs to interpret the numbers (medians of how many repeats, what "cold" means, ...).
    cmd : str, optional
        The command (default: this process's command line, see :func:`command`).
    out_dir : path, optional
        Default ``benchmarks/results``.

    A load above half the cores adds a sentence to ``notes`` (unless they already speak of the load average).
    """
    if not name or "/" in name or name.startswith("."):
        raise ValueError(f"name must be a plain file stem; got {name!r}")
    rows = [dict(r) for r in rows]
    if columns is None:
        columns = []
        for r in rows:
            columns += [k for k in r if k not in columns]
    info = machine()
    note = load_note(info)
    if note and "load average" not in notes.lower():
        notes = f"{notes} {note}".strip()
    record = {"schema": SCHEMA, "name": name, "benchmark": benchmark or name.split("-")[0], "title": title,
              "date": datetime.datetime.now(datetime.timezone.utc).date().isoformat(),
              "command": cmd if cmd is not None else command(), "machine": info,
              "versions": versions(extra_versions), "columns": list(columns), "rows": rows, "notes": notes,
              "source": "measured", **fields}
    out = Path(out_dir) if out_dir is not None else RESULTS_DIR
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(record, indent=1, ensure_ascii=False, allow_nan=False) + "\n")
    os.replace(tmp, path)  # a reader (the docs build) never sees half a file
    return path


def add_write_options(parser: Any) -> None:
    """``--no-write`` and ``--results-dir``, the same in every benchmark script (an ``argparse`` parser)."""
    parser.add_argument("--no-write", action="store_true", help="print only; write no benchmarks/results/*.json")
    parser.add_argument("--results-dir", default=None, metavar="DIR",
                        help="write the results JSON here instead of benchmarks/results/")


def validate(record: Mapping[str, Any]) -> list[str]:
    """Problems with one results record (empty when it is well formed)."""
    problems = [f"missing {k!r}" for k in REQUIRED if k not in record]
    if problems:
        return problems
    if record["schema"] != SCHEMA:
        problems.append(f"schema {record['schema']!r} != {SCHEMA}")
    try:
        datetime.date.fromisoformat(record["date"])
    except (TypeError, ValueError):
        problems.append(f"date {record['date']!r} is not YYYY-MM-DD")
    if not str(record["command"]).strip():
        problems.append("empty command")
    for k in ("platform", "cpu_count"):
        if k not in record["machine"]:
            problems.append(f"machine lacks {k!r}")
    if "python" not in record["versions"]:
        problems.append("versions lack 'python'")
    if not record["rows"]:
        problems.append("no rows")
    for i, r in enumerate(record["rows"]):
        extra = set(r) - set(record["columns"])
        if extra:
            problems.append(f"row {i} has columns not in 'columns': {sorted(extra)}")
    return problems


def load_all(results_dir: str | os.PathLike | None = None) -> list[dict[str, Any]]:
    """Every ``*.json`` record in ``results_dir`` (default ``benchmarks/results``), sorted by benchmark, name."""
    d = Path(results_dir) if results_dir is not None else RESULTS_DIR
    recs = [json.loads(p.read_text()) for p in sorted(d.glob("*.json"))]
    return sorted(recs, key=lambda r: (r.get("benchmark", ""), r.get("name", "")))
