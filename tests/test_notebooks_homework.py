"""notebooks/homework.ipynb executes top to bottom (quick mode) and its own assertions hold."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "homework.ipynb"


@pytest.mark.notebook
def test_homework_notebook_executes(tmp_path, monkeypatch):
    monkeypatch.setenv("STP_BRAINPY_QUICK", "1")
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    text = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "max |sim - event-driven|" in text and "BrainPy class:" in text
    images = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert images == 9  # the eight settings and the legacy code's figure
