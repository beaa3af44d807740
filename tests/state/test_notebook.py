"""notebooks/state.ipynb executes (quick mode) and shows the numbers it is about."""
from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "state.ipynb"


@pytest.mark.notebook
@pytest.mark.slow
def test_state_notebook_executes(tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("STP_BRAINPY_QUICK", "1")
    monkeypatch.delenv("MPLBACKEND", raising=False)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    text = "\n".join(o.get("text", "") for o in outputs)
    assert "first efficacy: stp_brainpy.state 0.50, brainpy.state STP 0.70, core 0.50" in text
    assert "spike for spike equal to the fused path: True" in text
    assert "UnitError: tau_f must be a time in ms" in text
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 2
