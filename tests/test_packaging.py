"""The package as a user gets it: the sdist holds what the tests need, the wheel installs and its commands run.

``python -m build`` makes the sdist and, from it, the wheel (so the sdist is known to build). The wheel is
installed non-editable into a fresh virtual environment (no ``--system-site-packages``) and its console
command runs ``--version``, ``homework --quick`` and a sweep into a store, from a directory outside the
source tree so nothing is imported from the checkout.

Installing the whole pinned stack into that environment from the registry takes about 3 minutes on 2
cores, so by default the environment reuses the test environment's installed dependencies through a
``.pth`` line and installs the wheel itself with ``--no-deps``; ``pip check`` then verifies that the wheel's
declared dependencies are satisfied. ``STP_BRAINPY_PACKAGING_FULL=1`` installs everything from the registry
with ``-c constraints.txt`` instead (what a new user does).
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FULL = os.environ.get("STP_BRAINPY_PACKAGING_FULL") == "1"
pytestmark = pytest.mark.slow


def _run(cmd, cwd, env=None, timeout=600):
    res = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert res.returncode == 0, f"{' '.join(map(str, cmd))} -> {res.returncode}\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
    return res


def _version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def _files(sub: str) -> set[str]:
    # hidden folders (.hypothesis, .pytest_cache) are the runners' scratch, not the project's files
    return {p.relative_to(ROOT).as_posix() for p in (ROOT / sub).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and not p.name.endswith(".pyc")
            and not any(part.startswith(".") for part in p.relative_to(ROOT).parts)}


SHIPPED = ("tests", "stp_brainpy", "benchmarks/results")
# taken before the build: a file added to the tree while the build runs is not the build's to include
_BEFORE: dict[str, set[str]] = {}


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    _BEFORE.update({sub: _files(sub) for sub in SHIPPED})
    _run([sys.executable, "-m", "build", "--outdir", out, ROOT], cwd=out)
    sdists, wheels = sorted(out.glob("*.tar.gz")), sorted(out.glob("*.whl"))
    assert len(sdists) == 1 and len(wheels) == 1, sorted(p.name for p in out.iterdir())
    return sdists[0], wheels[0]


def test_sdist_carries_tests_references_notebooks_and_pins(dist):
    sdist, _ = dist
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    for f in ("LICENSE", "CHANGELOG.md", "README.md", "constraints.txt", "pyproject.toml", "stp_brainpy/py.typed",
              "notebooks/homework.ipynb", "notebooks/neuromatch.ipynb", "docs/conf.py", "benchmarks/_results.py"):
        assert f in names, f"{f} missing from the sdist"
    for sub in SHIPPED:
        missing = sorted((_BEFORE[sub] & _files(sub)) - names)
        assert not missing, f"not in the sdist: {missing}"
    assert not [n for n in names if "__pycache__" in n or n.startswith(("docs/_build", "docs/api/", ".venv"))
                or "/.venv" in n]


def test_wheel_metadata(dist):
    _, wheel = dist
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        meta = z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
        entry = z.read(next(n for n in names if n.endswith(".dist-info/entry_points.txt"))).decode()
    assert f"Version: {_version()}" in meta
    assert "License-Expression: MIT" in meta or "License: MIT" in meta
    assert re.search(r"^Requires-Dist: netCDF4", meta, flags=re.M), "the store's engine is a default dependency"
    assert "Classifier: Typing :: Typed" in meta and "stp_brainpy/py.typed" in names
    assert "stp_brainpy/network/_native/event_scatter.cc" in names
    assert "stp-brainpy = stp_brainpy.cli:entry" in entry
    assert not [n for n in names if n.startswith("tests/")]
    # every module of the package (a sub-package without __init__.py would silently be left out)
    modules = {f for f in _BEFORE["stp_brainpy"] & _files("stp_brainpy") if f.endswith(".py")}
    assert not sorted(modules - names), f"not in the wheel: {sorted(modules - names)}"


@pytest.fixture(scope="module")
def venv(dist, tmp_path_factory):
    _, wheel = dist
    env_dir = tmp_path_factory.mktemp("venv") / "env"
    _run([sys.executable, "-m", "venv", env_dir], cwd=env_dir.parent, timeout=300)
    py = env_dir / "bin" / "python"
    if FULL:
        _run([py, "-m", "pip", "install", "-q", "-c", ROOT / "constraints.txt", f"{wheel}[test]"], cwd=env_dir,
             timeout=900)
    else:
        site = Path(_run([py, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], cwd=env_dir)
                    .stdout.strip())
        # appended after the environment's own site-packages: the installed wheel shadows the checkout's
        # editable install, whose import hook (a .pth in that directory) is not run for a plain path entry
        (site / "_reuse_test_env.pth").write_text(sysconfig.get_path("purelib") + "\n")
        _run([py, "-m", "pip", "install", "-q", "--no-deps", "--no-index", wheel], cwd=env_dir, timeout=300)
    return env_dir


def _env():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(MPLBACKEND="Agg", JAX_PLATFORMS="cpu")
    return env


def test_installed_wheel_is_the_one_imported(venv, tmp_path):
    py = venv / "bin" / "python"
    out = _run([py, "-c", "import stp_brainpy, json; print(json.dumps([stp_brainpy.__file__, stp_brainpy.__version__]))"],
               cwd=tmp_path, env=_env()).stdout
    path, version = json.loads(out.strip().splitlines()[-1])
    assert Path(path).resolve().is_relative_to(venv.resolve()), path
    assert version == _version()
    res = subprocess.run([py, "-m", "pip", "check"], cwd=tmp_path, env=_env(), capture_output=True, text=True)
    problems = [line for line in res.stdout.splitlines() if line.lower().startswith("stp-brainpy")]
    assert not problems, problems


def test_console_command_version_homework_and_sweep(venv, tmp_path):
    exe, env = venv / "bin" / "stp-brainpy", _env()
    assert _run([exe, "--version"], cwd=tmp_path, env=env).stdout.strip() == f"stp-brainpy {_version()}"

    _run([exe, "homework", "--quick", "--no-progress", "--out", tmp_path / "hw"], cwd=tmp_path, env=env)
    written = {p.name for p in (tmp_path / "hw").iterdir()}
    assert {"STD.png", "tau_f2.png", "homework_summary.csv", "homework_spikes.csv"} <= written, written

    store = tmp_path / "eff.sweep"
    _run([exe, "sweep", "efficacy", "--U", "0.1,0.5", "--tau-f", "50,500", "--tau-d", "200", "--rate", "20",
          "--n-spikes", "5", "--no-progress", "--cpu-devices", "1", "--store", store], cwd=tmp_path, env=env)
    assert (store / "result.nc").exists() and (store / "manifest.json").exists()
    # read back in the installed environment: the first spike from rest releases exactly U
    check = ("import sys, xarray as xr, numpy as np; ds = xr.open_dataset(sys.argv[1]); "
             "e = ds.efficacy.isel(spike=0).squeeze(drop=True); "
             "assert set(e.dims) == {'U', 'tau_f'}, e.dims; "
             "np.testing.assert_allclose(e.transpose('U', 'tau_f').values, [[0.1, 0.1], [0.5, 0.5]], rtol=1e-6)")
    _run([venv / "bin" / "python", "-c", check, store / "result.nc"], cwd=tmp_path, env=env)


def test_tests_run_from_the_unpacked_sdist(dist, venv, tmp_path):
    """``pytest`` in the unpacked sdist finds its tests, their data and the package (a fast subset here)."""
    sdist, _ = dist
    with tarfile.open(sdist) as tar:
        tar.extractall(tmp_path, filter="data")
    src = tmp_path / sdist.name.removesuffix(".tar.gz")
    res = _run([venv / "bin" / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not slow",
                "tests/test_docs.py", "tests/core/test_validation.py"], cwd=src, env=_env(), timeout=600)
    assert re.search(r"\d+ passed", res.stdout) and " failed" not in res.stdout, res.stdout[-2000:]
