"""The docstring examples run as written (README snippets: tests/test_readme.py)."""
from __future__ import annotations

import doctest

import pytest


@pytest.mark.parametrize("module", ["stp_brainpy.synapses.stp", "stp_brainpy.synapses.syndyn",
                                    "stp_brainpy.neurons.lif", "stp_brainpy.replays.homework"])
def test_docstring_examples(module):
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
