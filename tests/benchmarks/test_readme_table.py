"""README's speed table is the rendering of the committed benchmarks/results/*.json, and the scripts write them."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from _load import load_module as _load

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "benchmarks"
# scripts that record their own results (bench_coba, bench_scaling, bench_wm and bench_state join as they do)
SCRIPTS = sorted(p.name for p in BENCH.glob("bench_*.py"))  # every benchmark, so a new one cannot forget


@pytest.fixture(scope="module")
def table():
    return _load("_bench_readme_table", BENCH / "readme_table.py")


@pytest.fixture(scope="module")
def results():
    return _load("_bench_results_t", BENCH / "_results.py")


def test_readme_block_is_the_rendering_of_the_committed_results(table):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert table.current(text) == table.render(), "run: python benchmarks/readme_table.py"
    assert table.main(["--check"]) == 0


def test_readme_stays_short():
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 200


def test_every_row_names_its_source_command_date_and_machine(table, results):
    block = table.render()
    flat = " ".join(block.split())  # the notes under the table are wrapped
    for i, (name, _) in enumerate(table.ROWS, 1):
        rec = table.load(name)
        assert results.validate(rec) == [], name
        assert f"`{rec['command']}`" in block and f"[{i}] `{name}.json`: {rec['date']}" in flat
    rows = [line for line in block.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == len(table.ROWS) + 1  # the header
    assert all(line.count(" | ") == 4 for line in rows)  # five cells, no stray pipe


def test_check_fails_on_a_stale_readme_and_the_rewrite_fixes_it(table, tmp_path, monkeypatch, capsys):
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\n{table.START}\n| old | table |\n{table.END}\n\nafter\n", encoding="utf-8")
    monkeypatch.setattr(table, "README", readme)
    assert table.main(["--check"]) == 1 and "readme_table.py" in capsys.readouterr().err
    assert table.main([]) == 0
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# x\n\n") and text.endswith("\n\nafter\n") and table.current(text) == table.render()
    assert table.main(["--check"]) == 0
    readme.write_text("no markers\n")
    assert table.main(["--check"]) == 2 and "speed-table" in capsys.readouterr().err


def test_a_new_result_changes_the_rendering(table, tmp_path):
    for p in (ROOT / "benchmarks" / "results").glob("*.json"):
        (tmp_path / p.name).write_text(p.read_text())
    rec = json.loads((tmp_path / "neuromatch-cpu2.json").read_text())
    rec["rows"][0].update(stp_brainpy_s=0.5, numpy_s=5.0, speedup=10.0)
    rec["machine"].update(load_1min_start=3.0, load_1min=4.5)
    (tmp_path / "neuromatch-cpu2.json").write_text(json.dumps(rec))
    block = table.render(tmp_path)
    assert "| 0.5 s | tutorial NumPy: 5.0 s (**10×**) |" in block and "load 3.0 → 4.5" in " ".join(block.split())


def test_number_formats(table):
    assert table.num(7.74e8) == "7.7e8" and table.num(0.28) == "0.28" and table.num(2.8e7) == "2.8e7"
    assert table.seconds(0.0034) == "3.4 ms" and table.seconds(1.61) == "1.6 s" and table.seconds(2.02) == "2.0 s"
    assert table.seconds(0.28) == "0.28 s" and table.seconds(6.68) == "6.7 s"
    assert table.ratio(5.71) == "**5.7×**" and table.ratio(54.4) == "**54×**" and table.ratio(659.2) == "**659×**"


def test_the_machine_record_carries_the_load(results, tmp_path):
    info = results.machine()
    assert isinstance(info["load_1min"], float) and info["load_1min"] >= 0
    assert info["load_1min_start"] == results.LOAD_AT_START
    assert results.machine_tag() == f"cpu{os.cpu_count()}"  # jax not imported here: the CPU's tag
    assert results.load_note({"cpu_count": 2, "load_1min_start": 0.4, "load_1min": 0.9}) == ""
    note = results.load_note({"cpu_count": 2, "load_1min_start": 6.0, "load_1min": 8.5})
    assert "6.00 at the start, 8.50 at the end on 2 cores" in note
    rec = json.loads(results.write_results("x-cpu", [{"a": 1}], title="t", out_dir=tmp_path).read_text())
    assert rec["machine"]["load_1min"] is not None


def test_the_benchmarks_page_shows_the_load():
    page = _load("_docs_benchmarks_page_t", ROOT / "docs" / "_ext" / "benchmarks_page.py")
    assert page.load({"cpu_count": 2, "load_1min_start": 6.0, "load_1min": 8.5}) == \
        "6.00 at the start, 8.50 at the end on 2 cores"
    assert page.load({"cpu_count": 2, "description": "the 2-core machine, idle"}) == "not recorded (idle)"
    assert page.describe({"cpu_count": 2, "processor": "Xeon", "device": "cpu: cpu"}) == "2-core CPU (Xeon)"
    assert page.describe({"cpu_count": 16, "device": "gpu: NVIDIA H200", "device_count": 1}) == "one NVIDIA H200"


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_benchmark_script_writes_its_results(script):
    text = (BENCH / script).read_text(encoding="utf-8")
    assert re.search(r"\bwrite_results\(", text), f"{script} does not call write_results"


@pytest.mark.slow  # a fresh interpreter importing jax: ~5 s idle, ~20 s on the loaded machine
def test_a_benchmark_run_writes_a_measured_file(tmp_path):
    """The homework throughput part at a tiny size: the file it writes is well formed and names the command."""
    env = dict(os.environ, JAX_PLATFORMS="cpu")
    out = subprocess.run([sys.executable, str(BENCH / "bench_homework.py"), "--part", "throughput", "--settings", "16",
                          "--repeats", "1", "--results-dir", str(tmp_path)], capture_output=True, text=True,
                         env=env, timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    (path,) = tmp_path.glob("homework-throughput-cpu*.json")
    rec = json.loads(path.read_text())
    assert rec["source"] == "measured" and rec["rows"][0]["settings"] == 16
    assert rec["command"].endswith("python benchmarks/bench_homework.py --part throughput --settings 16 --repeats 1 "
                                   f"--results-dir {tmp_path}")
    assert "JAX_PLATFORMS=cpu" in rec["command"] and rec["machine"]["load_1min"] is not None
