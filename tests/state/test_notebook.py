"""notebooks/state.ipynb executes (quick mode) and shows the numbers it is about; the committed copy carries its
outputs (the docs build renders them without executing notebooks)."""
from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "state.ipynb"
NUMBERS = ("first efficacy: stp_brainpy.state 0.50, brainpy.state STP 0.70, core 0.50",
           "spike for spike equal to the fused path: True",
           "spike for spike equal to the fused path with the same delay: True",
           "UnitError: tau_f must be a time in ms")


def _outputs(nb):
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    return outputs, "\n".join(o.get("text", "") for o in outputs)


def test_committed_notebook_shows_the_efficacy_difference_in_numbers():
    import nbformat

    outputs, text = _outputs(nbformat.read(NOTEBOOK, as_version=4))
    for line in NUMBERS:
        assert line in text
    assert "brainpy.state.STP" in text and "ratio" in text  # the per-spike table
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 2
    assert not any(o.get("output_type") == "error" for o in outputs)


@pytest.mark.notebook
@pytest.mark.slow
def test_state_notebook_executes(tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("STP_BRAINPY_QUICK", "1")
    monkeypatch.delenv("MPLBACKEND", raising=False)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs, text = _outputs(nb)
    for line in NUMBERS:
        assert line in text
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 2
