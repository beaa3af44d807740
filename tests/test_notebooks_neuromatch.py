"""notebooks/neuromatch.ipynb executes top to bottom (quick mode) and prints its answers."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "neuromatch.ipynb"


@pytest.mark.notebook
def test_neuromatch_notebook_executes(tmp_path, monkeypatch):
    monkeypatch.setenv("STP_BRAINPY_QUICK", "1")
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    text = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    for needle in ("FMP mean", "fluctuation-driven", "g10/g1", "BrainPy network: rate",
                   "Will the neuron show higher irregularity", "late/early mean conductance"):
        assert needle in text, needle
    images = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert images == 8  # FMP, grid, three explorers, g ratio, bonus statistics, bonus trace
