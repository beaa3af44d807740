"""The documentation site: its code runs, its reference covers the API, its benchmark data are well formed.

Every ```python block of a page under ``docs/`` runs standalone, each in a namespace of its own, in a
temporary working directory (```py blocks are fragments and are not run; ```bash blocks are commands). The
site itself is built with warnings as errors by ``bash scripts/docs.sh`` (CI).
"""
from __future__ import annotations

import importlib
import json
import re
import sys
import types
import warnings
from pathlib import Path

import pytest
from _load import load_module as _load

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
GENERATED = {"benchmarks.md", "cli-reference.md"}  # written by the build (benchmarks/results/*.json, the CLI)
# blocks that import brainpy/brainstate, compile a network or fit take seconds each on 2 cores
_SLOW = re.compile(r"\bbrainpy\b|\bbrainstate\b|\bsweep\(|\bfit\(|\bsimulate\(")


def _pages() -> list[Path]:
    return sorted(p for p in DOCS.rglob("*.md")
                  if "_build" not in p.parts and p.relative_to(DOCS).as_posix() not in GENERATED)


def _blocks() -> list:
    params = []
    for page in _pages():
        rel = page.relative_to(DOCS).as_posix()
        for i, code in enumerate(re.findall(r"^```python\n(.*?)^```", page.read_text(encoding="utf-8"),
                                            flags=re.S | re.M)):
            marks = [pytest.mark.slow] if _SLOW.search(code) else []
            params.append(pytest.param(rel, i, code, id=f"{rel}[{i}]", marks=marks))
    return params


BLOCKS = _blocks()


def test_docs_have_python_blocks():
    pages = {p for p, *_ in (b.values for b in BLOCKS)}
    for page in ("getting-started.md", "model.md", "guides/core.md", "guides/sweeps.md", "guides/fitting.md"):
        assert page in pages, f"docs/{page} has no ```python block"


@pytest.mark.parametrize("page, index, code", BLOCKS)
def test_docs_python_block_runs(page, index, code, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples may write (a sweep store); never into the repository
    ns: dict = {"__name__": f"docs_block_{index}"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # the compat shim's notice
        exec(compile(code, f"docs/{page} python block {index}", "exec"), ns)


@pytest.fixture(scope="module")
def apigen():
    return _load("_docs_apigen", DOCS / "_ext" / "apigen.py")


@pytest.fixture(scope="module")
def results():
    return _load("_bench_results", ROOT / "benchmarks" / "_results.py")


def test_api_reference_documents_every_public_name(apigen):
    """Every name in every public module's ``__all__`` is importable and appears in the reference."""
    import stp_brainpy

    documented = {}
    for dotted in apigen.documented_names():
        mod, _, name = dotted.rpartition(".")
        documented[id(getattr(importlib.import_module(mod), name))] = dotted
    missing = []
    for modname in apigen.top_modules():
        mod = importlib.import_module(modname)
        for name in getattr(mod, "__all__", []):
            obj = getattr(mod, name)  # an __all__ entry that does not exist fails here
            if isinstance(obj, types.ModuleType):
                for sub in getattr(obj, "__all__", []):
                    sobj = getattr(obj, sub)
                    if not isinstance(sobj, types.ModuleType) and id(sobj) not in documented:
                        missing.append(f"{obj.__name__}.{sub}")
            elif id(obj) not in documented:
                missing.append(f"{modname}.{name}")
    assert not missing, f"not in the API reference: {missing}"
    top = {m.rsplit(".", 1)[1] for m in apigen.top_modules()}
    assert {"core", "synapses", "sweeps", "network", "fitting"} <= top
    assert set(stp_brainpy.__all__) - {"__version__"} <= top | {"cli"}


def test_api_pages_are_written_and_stale_ones_removed(apigen, tmp_path):
    (tmp_path / "stp_brainpy.gone.rst").write_text("stale")
    (tmp_path / "generated").mkdir()
    (tmp_path / "generated" / "stp_brainpy.core.gone.rst").write_text("stale")
    (tmp_path / "generated" / "stp_brainpy.core.stp_step.rst").write_text("kept")
    mods = apigen.write_pages(tmp_path)
    assert not (tmp_path / "stp_brainpy.gone.rst").exists()
    assert not (tmp_path / "generated" / "stp_brainpy.core.gone.rst").exists()
    assert (tmp_path / "generated" / "stp_brainpy.core.stp_step.rst").exists()
    index = (tmp_path / "index.rst").read_text()
    for m in mods:
        assert f"   {m}" in index
        text = (tmp_path / f"{m}.rst").read_text()
        assert f".. automodule:: {m}" in text
    core = (tmp_path / "stp_brainpy.core.rst").read_text()
    assert "   stp_step" in core and "   event_efficacies" in core


def test_benchmark_results_are_well_formed(results):
    files = sorted((ROOT / "benchmarks" / "results").glob("*.json"))
    assert files, "benchmarks/results/ is empty"
    for f in files:
        rec = json.loads(f.read_text())
        assert results.validate(rec) == [], f.name
        assert rec["name"] == f.stem
        scripts = re.findall(r"benchmarks/[\w/]+\.py", rec["command"])
        assert scripts, f"{f.name}: the command names no benchmark script"
        for s in scripts:
            assert (ROOT / s).exists(), f"{f.name}: {s} does not exist"


def test_write_results_records_provenance(results, tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "argv", [str(ROOT / "benchmarks" / "bench_x.py"), "--quick"])
    monkeypatch.setenv("JAX_PLATFORMS", "cpu")
    path = results.write_results("x-cpu", [{"n": 1, "s": 0.5}, {"n": 2, "s": 0.25, "extra": "a"}],
                                 title="t", notes="n", out_dir=tmp_path)
    rec = json.loads(path.read_text())
    assert results.validate(rec) == []
    assert rec["benchmark"] == "x" and rec["columns"] == ["n", "s", "extra"] and rec["source"] == "measured"
    assert rec["command"] == "JAX_PLATFORMS=cpu python benchmarks/bench_x.py --quick"
    assert rec["machine"]["cpu_count"] >= 1 and rec["versions"]["python"] and "numpy" in rec["versions"]
    assert not list(tmp_path.glob("*.tmp"))
    with pytest.raises(ValueError, match="name"):
        results.write_results("../x", [{"a": 1}], title="t", out_dir=tmp_path)
    bad = dict(rec, rows=[], date="23/11/2026")
    assert set(results.validate(bad)) == {"no rows", "date '23/11/2026' is not YYYY-MM-DD"}


def test_benchmarks_page_renders_every_result(tmp_path):
    page = _load("_docs_benchmarks_page", DOCS / "_ext" / "benchmarks_page.py")
    out = tmp_path / "benchmarks.md"
    n = page.write_page(out)
    text = out.read_text()
    assert n == len(list((ROOT / "benchmarks" / "results").glob("*.json")))
    assert text.count("- **command:**") == n
    chain = json.loads((ROOT / "benchmarks" / "results" / "homework-throughput-cpu2.json").read_text())
    assert page.fmt(chain["rows"][0]["synapse_steps_per_s"]) in text  # homework chain, 2-core CPU, as 7.7e8
    assert page.fmt(0.2) == "0.2" and page.fmt(2.8e7) == "2.8e7" and page.fmt(None) == "—"
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "broken.json").write_text(json.dumps({"name": "broken"}))
    with pytest.raises(ValueError, match="broken"):
        page.write_page(tmp_path / "b.md", tmp_path / "r")


def test_every_page_is_in_a_toctree():
    """Sphinx warns about orphans too; this says which page, without a build."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in _pages())
    for page in _pages():
        rel = page.relative_to(DOCS).with_suffix("").as_posix()
        if rel in ("index", "changelog") or rel.startswith("_"):
            continue
        assert re.search(rf"^{re.escape(rel)}$", text, flags=re.M), f"docs/{rel}.md is in no toctree"


def test_cli_reference_lists_every_command():
    page = _load("_docs_cli_page", DOCS / "_ext" / "cli_page.py")
    text = page.render()
    from stp_brainpy.cli import COMMANDS

    for name in COMMANDS:
        assert f"## `stp-brainpy {name}`" in text, name
    assert "## `stp-brainpy sweep efficacy`" in text and "--store" in text


def _rest_problems(text: str) -> str:
    """docutils' warnings for ``text`` (Sphinx's roles accepted), what the docs build would fail on."""
    import io

    import docutils.core
    import docutils.nodes
    from docutils.parsers.rst import roles

    for r in ("class", "func", "mod", "data", "meth", "attr", "obj", "exc", "doc", "term", "ref"):
        roles.register_generic_role(r, docutils.nodes.literal)
    stream = io.StringIO()
    docutils.core.publish_doctree(text, settings_overrides={"report_level": 2, "halt_level": 5,
                                                             "warning_stream": stream, "file_insertion_enabled": False})
    return stream.getvalue().strip()


def _as_sphinx_reads_it(obj, what: str) -> str:
    import inspect

    from sphinx.ext.napoleon import Config
    from sphinx.ext.napoleon.docstring import GoogleDocstring, NumpyDocstring

    doc = inspect.getdoc(obj) or ""
    if what == "module":  # docs/conf.py: module docstrings are plain reST
        return doc
    cfg = Config(napoleon_use_rtype=False, napoleon_use_ivar=True)
    return "\n".join(GoogleDocstring(NumpyDocstring(doc, cfg, what=what).lines(), cfg, what=what).lines())


@pytest.mark.slow
def test_public_docstrings_are_valid_rest(apigen):
    """The docs build's most common failure, found in seconds: a docstring that is not valid reST after napoleon
    (a cell wider than its table column, a paragraph inside a ``Parameters`` section, a literal across lines)."""
    import inspect

    assert "Malformed table" in _rest_problems("===  ===\nab   c\nabcde f\n===  ===\n")  # the check can fail
    seen: set[int] = set()
    bad = []
    for top in apigen.top_modules():
        for sec, names in apigen.collect(top):
            mod = importlib.import_module(sec)
            items = [(sec, mod, "module")]
            for n in names:
                obj = getattr(mod, n)
                if inspect.isclass(obj):
                    items.append((f"{sec}.{n}", obj, "class"))
                    items += [(f"{sec}.{n}.{k}", v.fget if isinstance(v, property) else v, "method")
                              for k, v in vars(obj).items() if not k.startswith("_")
                              and (inspect.isfunction(v) or isinstance(v, property)) and v.__doc__]
                elif callable(obj):
                    items.append((f"{sec}.{n}", obj, "function"))
            for name, obj, what in items:
                if id(obj) not in seen:
                    seen.add(id(obj))
                    problems = _rest_problems(_as_sphinx_reads_it(obj, what))
                    if problems:
                        bad.append(f"{name}: {problems[:400]}")
    assert len(seen) > 100
    assert not bad, "\n\n".join(bad)
