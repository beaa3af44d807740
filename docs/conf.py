"""Sphinx configuration: MyST/myst-nb pages, autodoc + autosummary (napoleon, numpy style), book theme.

Four things are generated when the build starts, so they cannot go stale: the API reference (from the
packages' ``__all__``, ``_ext/apigen.py``), the benchmarks page (from ``benchmarks/results/*.json``,
``_ext/benchmarks_page.py``), the command reference (the CLI's ``--help``, ``_ext/cli_page.py``) and the tutorials (copies of ``notebooks/*.ipynb``, rendered from their
stored outputs, never executed here).
"""
from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import shutil
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path[:0] = [str(DOCS / "_ext"), str(ROOT)]
os.environ.setdefault("JAX_PLATFORMS", "cpu")  # importing the package must not probe for accelerators
os.environ.setdefault("MPLBACKEND", "Agg")

import apigen  # noqa: E402
import benchmarks_page  # noqa: E402
import cli_page  # noqa: E402

import stp_brainpy  # noqa: E402

project = "stp_brainpy"
author = "The stp_brainpy developers"
copyright = "2026, The stp_brainpy developers"
release = stp_brainpy.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_nb",                    # MyST Markdown pages and .ipynb notebooks (includes myst_parser)
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
templates_path = ["_templates"]
exclude_patterns = ["_build", "_templates", "**/.ipynb_checkpoints", "Thumbs.db", ".DS_Store"]

# --- MyST and notebooks -------------------------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist", "substitution"]
myst_heading_anchors = 3
nb_execution_mode = "off"        # the notebooks are executed by the test suite; here their outputs are shown
nb_output_stderr = "remove"      # progress bars and warnings printed while the notebooks ran

# --- API reference ------------------------------------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "signature"
# the package's aliases (stp_brainpy._typing, synapses' Param) stay short in signatures instead of expanding
autodoc_type_aliases = {n: n for n in ("Array", "ArrayLike", "Scalar", "PathLike", "Seed", "Param")}
autodoc_class_signature = "mixed"
autodoc_inherit_docstrings = False  # brainpy's base-class docstrings are not ours to render
add_module_names = False
napoleon_google_docstring = True   # fitting/ uses Google style, the rest numpy style
napoleon_numpy_docstring = True
napoleon_use_rtype = False
napoleon_use_ivar = True

# --- HTML ---------------------------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = f"stp_brainpy {release}"
html_static_path: list[str] = []
html_theme_options = {
    "show_toc_level": 2,
    "home_page_in_toc": True,
    "use_download_button": True,
    "navigation_with_keys": False,
}
html_last_updated_fmt = ""


def _generate() -> None:
    apigen.write_pages(DOCS / "api")
    benchmarks_page.write_page(DOCS / "benchmarks.md")
    cli_page.write_page(DOCS / "cli-reference.md")
    tut = DOCS / "tutorials"
    tut.mkdir(exist_ok=True)
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        dst = tut / nb.name
        if not dst.exists() or dst.read_bytes() != nb.read_bytes():
            shutil.copyfile(nb, dst)


_generate()


def _drop_type_docstrings(app, what, name, obj, options, lines) -> None:
    """A constant without a docstring of its own would show its type's (``dict``'s) docstring: drop it."""
    if what not in ("data", "attribute") or not lines:
        return
    squeeze = lambda text: "\n".join(line.strip() for line in text.splitlines() if line.strip())
    own = squeeze("\n".join(lines))
    tdoc = inspect.getdoc(type(obj))
    # autodoc may put a text-signature header ("ndarray(...)" and "--") before the class's docstring
    if isinstance(tdoc, str) and squeeze(tdoc) and own.endswith(squeeze(tdoc)):
        lines[:] = []


def _napoleon_but_not_modules(app) -> None:
    """Module docstrings are plain reST (their ``Parameters`` heading titles a table); the rest is numpy style."""
    from sphinx.ext.napoleon import _process_docstring

    listeners = app.events.listeners["autodoc-process-docstring"]
    for listener in [lst for lst in listeners if lst.handler is _process_docstring]:
        app.disconnect(listener.id)

    def process(app, what, name, obj, options, lines):
        if what != "module":
            _process_docstring(app, what, name, obj, options, lines)

    app.connect("autodoc-process-docstring", process)


# MathJax from the site itself, so the pages' equations render offline: sphinx-mathjax-offline vendors MathJax
# 3.2.2 (the major version Sphinx loads from its CDN by default), sets ``mathjax_path`` and copies it into
# ``_static/mathjax``. Without the package (an older venv) Sphinx's CDN copy is used.
MATHJAX_OFFLINE = "sphinx-mathjax-offline"


def setup(app):
    if importlib.util.find_spec(MATHJAX_OFFLINE) is not None:
        # its setup() declares no parallel safety (-j N would warn, and warnings fail the build): run it from here
        importlib.import_module(MATHJAX_OFFLINE).setup(app)
    app.connect("autodoc-process-docstring", _drop_type_docstrings, priority=100)  # before napoleon
    _napoleon_but_not_modules(app)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
