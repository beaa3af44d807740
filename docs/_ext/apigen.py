"""Generate the API reference pages from the packages' ``__all__`` at build time.

Each public top-level module of ``stp_brainpy`` gets one page (``api/<module>.rst``): its docstring and
an autosummary table of the names in its ``__all__``; sub-modules listed in ``__all__`` (``core.stp``)
add a section with the names they export that the page has not documented yet. New names therefore appear
in the reference as soon as they are exported, and a name that disappears leaves no stale page behind.
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import types
from pathlib import Path

PACKAGE = "stp_brainpy"
# not API: the command line (documented on its own page) and private helpers
SKIP_MODULES = {"cli"}


def public_names(mod: types.ModuleType) -> list[str]:
    """``mod.__all__``, or the public names defined in ``mod`` when it has none."""
    names = getattr(mod, "__all__", None)
    if names is not None:
        return [n for n in names if not n.startswith("_")]
    out = []
    for n, obj in vars(mod).items():
        if n.startswith("_") or isinstance(obj, types.ModuleType):
            continue
        if getattr(obj, "__module__", None) == mod.__name__:
            out.append(n)
    return sorted(out)


def top_modules() -> list[str]:
    """Every public top-level module or sub-package of the package (``stp_brainpy.core``, ...)."""
    pkg = importlib.import_module(PACKAGE)
    names = {n for n in getattr(pkg, "__all__", []) if not n.startswith("_")}
    names |= {m.name for m in pkgutil.iter_modules(pkg.__path__) if not m.name.startswith("_")}
    mods = []
    for n in sorted(names - SKIP_MODULES):
        obj = getattr(pkg, n, None)
        if obj is None or isinstance(obj, types.ModuleType):
            mods.append(f"{PACKAGE}.{n}")
    return mods


def collect(modname: str) -> list[tuple[str, list[str]]]:
    """``[(module, [names])]`` for one page: the module's own names, then each listed sub-module's new ones."""
    mod = importlib.import_module(modname)
    seen: set[int] = set()
    sections: list[tuple[str, list[str]]] = [(modname, [])]
    subs: list[str] = []
    for n in public_names(mod):
        obj = getattr(mod, n)
        if isinstance(obj, types.ModuleType):
            subs.append(obj.__name__)
        elif id(obj) not in seen:
            seen.add(id(obj))
            sections[0][1].append(n)
    if not hasattr(mod, "__all__") and hasattr(mod, "__path__"):
        # a package that exports nothing itself (``replays``): its public modules are the API
        subs += [f"{modname}.{m.name}" for m in pkgutil.iter_modules(mod.__path__)
                 if not m.name.startswith("_") and m.name not in SKIP_MODULES]
    for sub in subs:
        smod = importlib.import_module(sub)
        names = []
        for n in public_names(smod):
            obj = getattr(smod, n)
            if isinstance(obj, types.ModuleType) or id(obj) in seen:
                continue
            seen.add(id(obj))
            names.append(n)
        sections.append((sub, names))
    return sections


def documented_names() -> set[str]:
    """Every dotted name the reference documents (used by the tests)."""
    out = set()
    for m in top_modules():
        for sec, names in collect(m):
            out |= {f"{sec}.{n}" for n in names}
    return out


def _kind(obj) -> str:
    if inspect.isclass(obj):
        return "class"
    if callable(obj):
        return "function"
    return "data"


def _section(modname: str, names: list[str], level: str, heading: str) -> list[str]:
    mod = importlib.import_module(modname)
    lines = [heading, level * len(heading), "", f".. automodule:: {modname}", "   :no-members:", "",
             f".. currentmodule:: {modname}", ""]
    groups: dict[str, list[str]] = {"class": [], "function": [], "data": []}
    for n in names:
        groups[_kind(getattr(mod, n))].append(n)
    titles = {"class": "Classes", "function": "Functions", "data": "Constants"}
    for kind, members in groups.items():
        if not members:
            continue
        lines += [f".. rubric:: {titles[kind]}", "", ".. autosummary::", "   :toctree: generated",
                  "   :nosignatures:", ""]
        lines += [f"   {n}" for n in members] + [""]
    if not names:
        lines += ["(no public names of its own)", ""]
    return lines


def write_pages(outdir: Path) -> list[str]:
    """Write ``outdir/index.rst`` and one page per top-level module; return the module names."""
    outdir.mkdir(parents=True, exist_ok=True)
    mods = top_modules()
    wanted = {f"{m}.rst" for m in mods} | {"index.rst"}
    for old in outdir.glob("*.rst"):  # a module that went away leaves no page behind
        if old.name not in wanted:
            old.unlink()
    stubs: set[str] = set()
    for m in mods:
        lines: list[str] = []
        for i, (sec, names) in enumerate(collect(m)):
            lines += _section(sec, names, "=" if i == 0 else "-", f"``{sec}``")
            stubs |= {f"{sec}.{n}.rst" for n in names}
        _write(outdir / f"{m}.rst", "\n".join(lines))
    for old in (outdir / "generated").glob("*.rst"):  # autosummary's pages of names no longer exported
        if old.name not in stubs:
            old.unlink()
    index = ["API reference", "=============", "",
             "Every public name of the package, generated at build time from each module's ``__all__``.", ""]
    for m in mods:
        doc = (importlib.import_module(m).__doc__ or "").strip().splitlines()
        index.append(f"- :doc:`{m}` — {doc[0]}" if doc else f"- :doc:`{m}`")
    index += ["", ".. toctree::", "   :hidden:", "   :maxdepth: 1", ""] + [f"   {m}" for m in mods]
    _write(outdir / "index.rst", "\n".join(index) + "\n")
    return mods


def _write(path: Path, text: str) -> None:
    # unchanged pages keep their mtime, so an incremental build re-reads only what changed
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
