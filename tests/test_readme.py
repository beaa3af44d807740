"""Every ```python block of README.md runs as written (```py blocks are fragments and are not run)."""
from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_blocks_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the sweep example writes a store into the working directory
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) == 6
    ns: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # the compat shim's notice
        for i, code in enumerate(blocks):
            exec(compile(code, f"README.md python block {i}", "exec"), ns)
            if i == 0:  # STP in your own network
                syn, runner = ns["syn"], ns["runner"]
                assert runner.mon["syn.I"].shape == (1500, syn.num) and np.asarray(runner.mon["syn.I"]).max() > 0
            if i == 2:
                assert ns["proj"].post is ns["I"]
            if i == 4:  # conductance LIF with STP inputs
                assert ns["runner"].mon["V"].shape == (10000, 1) and ns["runner"].mon["spike"].sum() > 0
    assert "brainmodels" in ns
    assert ns["ds"].efficacy.dims == ("U", "tau_d", "tau_f", "rate", "spike")
    assert (tmp_path / "eff.sweep" / "result.nc").exists()
