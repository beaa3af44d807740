"""The usage snippets of docs/readme/homework.md and the docstring examples run as written."""
from __future__ import annotations

import doctest
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

README = Path(__file__).resolve().parents[2] / "docs" / "readme" / "homework.md"


def test_readme_snippets_run():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) == 3
    ns: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # the compat shim's notice
        for code in blocks:
            exec(compile(code, str(README), "exec"), ns)
    syn, runner = ns["syn"], ns["runner"]
    assert runner.mon["syn.I"].shape == (1500, syn.num) and syn.num > 0
    assert np.asarray(runner.mon["syn.I"]).max() > 0
    assert ns["proj"].post is ns["I"] and "brainmodels" in ns


@pytest.mark.parametrize("module", ["stp_brainpy.synapses.stp", "stp_brainpy.synapses.syndyn",
                                    "stp_brainpy.neurons.lif", "stp_brainpy.replays.homework"])
def test_docstring_examples(module):
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
