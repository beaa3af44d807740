"""The docs serve MathJax themselves (sphinx-mathjax-offline, pinned), so equations render without a network."""
from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_offline_mathjax_is_pinned_and_installed():
    pins = dict(re.findall(r"^([\w.-]+)==(\S+)$", (ROOT / "constraints.txt").read_text(), flags=re.M))
    assert pins.get("sphinx-mathjax-offline") == importlib.metadata.version("sphinx-mathjax-offline")
    assert "sphinx-mathjax-offline" in (ROOT / "pyproject.toml").read_text()
    pkg = Path(importlib.util.find_spec("sphinx-mathjax-offline").origin).parent
    assert (pkg / "static" / "mathjax" / "tex-chtml.js").is_file()


def test_the_docs_configuration_uses_it():
    class App:  # what the extension's setup touches
        def __init__(self):
            self.config = type("Config", (), {})()
            self.events = []

        def connect(self, event, fn):
            self.events.append(event)

    app = App()
    importlib.import_module("sphinx-mathjax-offline").setup(app)
    assert app.config.mathjax_path == "mathjax/tex-chtml.js" and app.events == ["build-finished"]
    assert 'MATHJAX_OFFLINE = "sphinx-mathjax-offline"' in (ROOT / "docs" / "conf.py").read_text()
