"""Every ```python block of README.md runs as written, each in its own fresh namespace (```bash blocks are not run)."""
from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_the_readme_has_its_examples():
    assert len(BLOCKS) == 5


def _check_block(i: int, ns: dict) -> None:
    if i == 0:  # STP in your own network: the monitored current is positive after the first spikes
        syn, runner = ns["syn"], ns["runner"]
        assert runner.mon["syn.I"].shape == (1500, syn.num) and np.asarray(runner.mon["syn.I"]).max() > 0
    if i == 1:  # the bp.dyn projection example (run standalone in a fresh interpreter: tests/synapses)
        assert ns["proj"].post is ns["I"]
    if i == 2:  # a rested synapse releases exactly U; the closed form equals the train's limit
        assert float(ns["eff"][0]) == pytest.approx(0.2, rel=1e-6)
        assert float(ns["after"][0]) == pytest.approx(0.2 + 0.2 * (1 - 0.2), rel=1e-6)  # read after the jump
        assert 0 < float(ns["e_inf"]) < float(ns["eff"][-1]) + 1e-6
    if i == 3:  # NEST's tsodyks2 with u = U: the first spike delivers weight · U
        assert float(ns["w"][0]) == pytest.approx(1.0, rel=1e-6)
    if i == 4:
        for k, v in ns["truth"].items():
            assert ns["res"].params[k] == pytest.approx(v, rel=1e-3)


@pytest.mark.parametrize("i", range(len(BLOCKS)))
def test_readme_block_runs_standalone(i, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # anything a block writes lands in a scratch folder
    ns: dict = {"__name__": f"readme_block_{i}"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        exec(compile(BLOCKS[i], f"README.md python block {i}", "exec"), ns)
    _check_block(i, ns)
