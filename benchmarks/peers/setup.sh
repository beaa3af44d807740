#!/usr/bin/env bash
# Create the peers' environments for benchmarks/bench_coba.py, each in its own venv so their pins
# never touch the project's .venv:
#   benchmarks/.venv-brian2  brian2 (+ numpy<2.4: Brian2 2.9 does not import with numpy 2.4)
#   benchmarks/.venv-nest    nest-simulator 3.10.0 (PyPI wheel)
# Usage: bash benchmarks/peers/setup.sh [brian2|nest ...]   (default: both; idempotent)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-python3.11}"
which="${*:-brian2 nest}"
for peer in $which; do
  venv="$HERE/.venv-$peer"
  [ -x "$venv/bin/python" ] || "$PY" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --upgrade pip
  case "$peer" in
    brian2) "$venv/bin/python" -m pip install -q "brian2>=2.9" "numpy<2.4" "setuptools" ;;
    nest)   "$venv/bin/python" -m pip install -q "nest-simulator==3.10.0" "numpy<2.4" ;;
    *) echo "unknown peer $peer (brian2|nest)" >&2; exit 2 ;;
  esac
  echo "$peer: $("$venv/bin/python" -c "import importlib.metadata as m; print(m.version('${peer/nest/nest-simulator}'))")"
done
