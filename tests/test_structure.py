"""House rules that keep the layout readable: one name per public class, small modules."""
from __future__ import annotations

import ast
import pathlib
from collections import defaultdict

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "stp_brainpy"
MAX_LINES = 400


def _modules():
    return sorted(p for p in PACKAGE.rglob("*.py") if "_native" not in p.parts)


def test_no_module_exceeds_the_size_limit():
    long = {str(p.relative_to(PACKAGE)): n for p in _modules() if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines (split them by job): {long}"


def test_no_two_public_classes_share_a_name():
    where = defaultdict(list)
    for p in _modules():
        for node in ast.parse(p.read_text()).body:
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                where[node.name].append(str(p.relative_to(PACKAGE)))
    clashes = {name: files for name, files in where.items() if len(files) > 1}
    assert not clashes, f"public classes defined in more than one module: {clashes}"


def _delegates(fn: ast.FunctionDef) -> bool:
    """True when ``fn`` calls a function of its own name (a skin over the core one, e.g. ``_k.regular_train``)."""
    for node in ast.walk(fn):
        if isinstance(node, ast.Call):
            f = node.func
            if (isinstance(f, ast.Attribute) and f.attr == fn.name) or (isinstance(f, ast.Name) and f.id == fn.name):
                return True
    return False


def test_no_public_core_function_is_redefined_outside_core():
    # a public function named like a core one must be a skin that calls it, never a second copy
    core, elsewhere = set(), defaultdict(list)
    for p in _modules():
        rel = p.relative_to(PACKAGE)
        for node in ast.parse(p.read_text()).body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                if rel.parts[0] == "core":
                    core.add(node.name)
                elif not _delegates(node):
                    elsewhere[node.name].append(str(rel))
    dup = {name: files for name, files in elsewhere.items() if name in core}
    assert not dup, f"core functions defined again outside core/: {dup}"


def test_the_detector_sees_a_clash(tmp_path):
    # the checks above must be able to fail: two modules defining the same class are found
    (tmp_path / "a.py").write_text("class Twin:\n    pass\n")
    (tmp_path / "b.py").write_text("class Twin:\n    pass\n")
    names = [n.name for f in tmp_path.glob("*.py") for n in ast.parse(f.read_text()).body if isinstance(n, ast.ClassDef)]
    assert names.count("Twin") == 2
