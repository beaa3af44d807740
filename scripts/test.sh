#!/usr/bin/env bash
# Run the whole test suite (installs the pinned stack into .venv first).
source "$(dirname "$0")/_env.sh"
python -m pytest "$@"
