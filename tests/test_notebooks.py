"""Each notebook executes top to bottom (quick mode), prints its answers and draws its figures."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

# notebook -> (texts its outputs must contain, number of figures)
EXPECTED = {
    "homework": (("max |sim - event-driven|", "BrainPy class:"),
                 9),  # the eight settings and the legacy code's figure
    "neuromatch": (("FMP mean", "fluctuation-driven", "g10/g1", "BrainPy network: rate",
                    "Will the neuron show higher irregularity", "late/early mean conductance"),
                   8),  # FMP, grid, three explorers, g ratio, bonus statistics, bonus trace
    "fitting": (("true vs fitted", "profile 95% interval", "leave-one-protocol-out test MSE", "coverage of the 95%"),
                3),  # data vs fit per protocol, profiles, standardised errors
}


@pytest.mark.notebook
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_notebook_executes(name, tmp_path, monkeypatch):
    monkeypatch.setenv("STP_BRAINPY_QUICK", "1")
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    text = "\n".join(o.get("text", "") for o in outputs)
    needles, n_images = EXPECTED[name]
    for needle in needles:
        assert needle in text, needle
    assert sum("image/png" in o.get("data", {}) for o in outputs) == n_images
