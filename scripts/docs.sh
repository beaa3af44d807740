#!/usr/bin/env bash
# Build the documentation site into docs/_build/html, warnings as errors (what CI runs).
#   bash scripts/docs.sh            # incremental build
#   bash scripts/docs.sh --clean    # from scratch (CI's case)
# Extra arguments go to sphinx-build (e.g. -b linkcheck).
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
if ! python -c "import sphinx, myst_nb, sphinx_book_theme" 2>/dev/null; then
  python -m pip install -q -c constraints.txt -e ".[docs]"
fi
if [ "${1:-}" = "--clean" ]; then
  shift
  rm -rf docs/_build docs/api
fi
# JAX on the CPU: the build imports the package, it computes nothing. One process (-j 1) by default:
# parallel reading forks after JAX has started its threads.
export JAX_PLATFORMS="${JAX_PLATFORMS:-cpu}"
python -m sphinx -b html -W --keep-going -q -j "${DOCS_JOBS:-1}" docs docs/_build/html "$@"
echo "docs: docs/_build/html/index.html"
