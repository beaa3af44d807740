"""The runnable examples in stp_brainpy.state's docstrings run and print what they say."""
from __future__ import annotations

import doctest
import subprocess
import sys

import pytest

import stp_brainpy.state as S


def _examples():
    finder = doctest.DocTestFinder(exclude_empty=True)
    for name in S.__all__:
        # module=False: the classes say __module__ = "stp_brainpy.state", which the finder would skip
        yield from ((name, t) for t in finder.find(getattr(S, name), name, module=False, globs={}))


@pytest.mark.parametrize("name, test", list(_examples()), ids=lambda v: v if isinstance(v, str) else "")
def test_docstring_example_runs(name, test):
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.failures == 0, f"{test.name}: {runner.failures} failing example(s)"


def test_every_public_class_has_an_example():
    documented = {name for name, _ in _examples()}
    classes = {name for name in S.__all__ if isinstance(getattr(S, name), type)}
    assert classes <= documented, classes - documented


def test_importing_stp_brainpy_does_not_import_brainstate():
    code = "import sys, stp_brainpy, stp_brainpy.network; print('brainstate' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
