#!/usr/bin/env bash
# Build the documentation site into docs/_build/html, warnings as errors (what CI runs).
#   bash scripts/docs.sh                         # incremental build
#   bash scripts/docs.sh --clean                 # from scratch (CI's case)
#   bash scripts/docs.sh --clean --screenshot    # then render the index and an API page in headless Chromium
# Other arguments go to sphinx-build (e.g. -b linkcheck).
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
if ! python -c "import sphinx, myst_nb, sphinx_book_theme" 2>/dev/null; then
  python -m pip install -q -c constraints.txt -e ".[docs]"
fi
clean=0 shot=0 args=()
for a in "$@"; do
  case "$a" in
    --clean) clean=1 ;;
    --screenshot) shot=1 ;;
    *) args+=("$a") ;;
  esac
done
if [ "$clean" = 1 ]; then
  rm -rf docs/_build docs/api
fi
# JAX on the CPU: the build imports the package, it computes nothing. One process (-j 1) by default:
# parallel reading forks after JAX has started its threads.
export JAX_PLATFORMS="${JAX_PLATFORMS:-cpu}"
python -m sphinx -b html -W --keep-going -q -j "${DOCS_JOBS:-1}" docs docs/_build/html ${args[@]+"${args[@]}"}
echo "docs: docs/_build/html/index.html"
if [ "$shot" = 1 ]; then
  python docs/check_render.py docs/_build/html
fi
