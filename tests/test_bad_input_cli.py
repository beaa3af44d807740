"""Bad command lines for homework, neuromatch, all and the top level: exit 2, one ``error:`` line, nothing written.

Each row runs ``stp_brainpy.cli.main`` in-process from an empty working folder (``OUT`` in an
argument is replaced by a path inside it; ``setup`` prepares files first). Every case must
exit 2 with exactly one stderr line starting ``error:``, no traceback, and leave the folder
exactly as it was (no file written or changed, no folder created) — which also shows that no
simulation ran, since each would write its outputs.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from stp_brainpy import cli
from stp_brainpy.replays import homework
from stp_brainpy.replays import neuromatch as nm


def _file(path: str):
    def setup(root: Path):
        p = root / path
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("keep")
    return setup


def _folder(path: str):
    return lambda root: (root / path).mkdir(parents=True)


def _no_write_access(monkeypatch):
    import stp_brainpy.replays.plotting as plotting

    monkeypatch.setattr(plotting.os, "access", lambda *a, **k: False)


NUMBERS = ["0", "-1", "200", "1.5", "nan", "inf", "-inf", "abc", "", "1e-400", "0x1"]
SEEDS = ["-1", "4294967296", "2.5", "abc", "", "1e3", "nan"]

CASES = (
    [(f"homework --dt {v!r}", ["homework", "--dt", v, "--out", "OUT"], None) for v in NUMBERS]
    + [(f"neuromatch --seed {v!r}", ["neuromatch", "--seed", v, "--out", "OUT"], None) for v in SEEDS]
    + [
        ("homework --method midpoint", ["homework", "--method", "midpoint", "--out", "OUT"], None),
        ("homework euler dt = shortest tau", ["homework", "--method", "euler", "--dt", "0.5", "--out", "OUT"], None),
        ("homework euler dt 0.9", ["homework", "--method", "euler", "--dt", "0.9", "--out", "OUT"], None),
        ("homework --dt missing value", ["homework", "--out", "OUT", "--dt"], None),
        ("homework --out missing value", ["homework", "--out"], None),
        ("homework unknown flag", ["homework", "--bogus", "--out", "OUT"], None),
        ("homework extra positional", ["homework", "extra", "--out", "OUT"], None),
        ("homework --quick=1", ["homework", "--quick=1", "--out", "OUT"], None),
        ("homework --out is a file", ["homework", "--out", "OUT/f"], _file("f")),
        ("homework --out under a file", ["homework", "--out", "OUT/f/sub"], _file("f")),
        ("homework --out empty", ["homework", "--out", ""], None),
        ("homework --out NUL", ["homework", "--out", "OUT/a\0b"], None),
        ("homework existing target", ["homework", "--out", "OUT/hw"], _file("hw/STD.png")),
        ("homework existing table", ["homework", "--out", "OUT/hw"], _file("hw/homework.json")),
        ("homework target is a folder", ["homework", "--overwrite", "--out", "OUT/hw"], _folder("hw/U1.png")),
        ("homework no write access", ["homework", "--out", "OUT/new/deeper"], "no-access"),
        ("neuromatch --method rk4", ["neuromatch", "--method", "rk4", "--out", "OUT"], None),
        ("neuromatch unknown flag", ["neuromatch", "--zz", "--out", "OUT"], None),
        ("neuromatch extra positional", ["neuromatch", "x", "--out", "OUT"], None),
        ("neuromatch --seed missing value", ["neuromatch", "--out", "OUT", "--seed"], None),
        ("neuromatch --out is a file", ["neuromatch", "--out", "OUT/f"], _file("f")),
        ("neuromatch --out under a file", ["neuromatch", "--out", "OUT/f/g/h"], _file("f")),
        ("neuromatch --out empty", ["neuromatch", "--out", ""], None),
        ("neuromatch existing target", ["neuromatch", "--out", "OUT/nm"], _file("nm/g_ratio.png")),
        ("neuromatch existing json", ["neuromatch", "--quick", "--out", "OUT/nm"], _file("nm/neuromatch.json")),
        ("neuromatch target is a folder", ["neuromatch", "--overwrite", "--out", "OUT/nm"],
         _folder("nm/bonus_trace.png")),
        ("neuromatch no write access", ["neuromatch", "--out", "OUT/new"], "no-access"),
        ("all unknown flag", ["all", "--dt", "0.1", "--out", "OUT"], None),
        ("all extra positional", ["all", "now", "--out", "OUT"], None),
        ("all --out is a file", ["all", "--out", "OUT/f"], _file("f")),
        ("all --out under a file", ["all", "--out", "OUT/f/x"], _file("f")),
        ("all --out empty", ["all", "--out", ""], None),
        ("all subfolder is a file", ["all", "--out", "OUT/o"], _file("o/neuromatch")),
        ("all homework target exists", ["all", "--out", "OUT/o"], _file("o/homework/STF.png")),
        ("all neuromatch target exists", ["all", "--out", "OUT/o"], _file("o/neuromatch/neuromatch_bonus.csv")),
        ("all target is a folder", ["all", "--overwrite", "--out", "OUT/o"], _folder("o/homework/homework.json")),
        ("all no write access", ["all", "--out", "OUT/o"], "no-access"),
        ("all --overwrite=yes", ["all", "--overwrite=yes", "--out", "OUT"], None),
        ("no command", [], None),
        ("unknown command", ["frobnicate"], None),
        ("unknown top-level flag", ["--frob", "homework"], None),
        ("flag before command", ["--out", "OUT", "homework"], None),
        ("misspelt command", ["homwork", "--out", "OUT"], None),
    ]
)


def _snapshot(root: Path) -> dict:
    # files by content and mtime; folders by existence (probing that a folder can be created touches its parent)
    return {str(p.relative_to(root)): "dir" if p.is_dir() else (p.stat().st_mtime_ns, p.read_bytes())
            for p in root.rglob("*")}


@pytest.mark.parametrize("argv, setup", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_refused_before_anything_runs(argv, setup, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STP_BRAINPY_DEBUG", raising=False)
    # a simulation that starts is a failure of this test (and would be slow): trip wires
    trip = lambda *a, **k: pytest.fail("a simulation started")
    monkeypatch.setattr(homework, "simulate", trip)
    for section in ("fmp_exercise", "ei_grid", "stp_explorers", "g_ratio_curves", "bonus", "bonus_trace"):
        monkeypatch.setattr(nm.files, section, trip)
    if setup == "no-access":
        _no_write_access(monkeypatch)
    elif setup is not None:
        setup(tmp_path)
    before = _snapshot(tmp_path)
    argv = [a.replace("OUT", str(tmp_path)) for a in argv]
    code = cli.main(argv)
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert code == 2, captured
    assert len(lines) == 1 and lines[0].startswith("error: "), captured.err
    assert "Traceback" not in captured.err + captured.out
    assert _snapshot(tmp_path) == before
    assert os.getcwd() == str(tmp_path)


def test_enough_cases():
    assert len(CASES) >= 60
