"""Load a script that is not part of an importable package (benchmarks/, docs/_ext/) as a module, for tests."""
from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path


def load_module(name: str, path: Path) -> types.ModuleType:
    """Import ``path`` under ``name`` (registered in sys.modules, so dataclasses and pickling resolve it)."""
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod
