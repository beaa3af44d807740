#!/usr/bin/env bash
# Static checks CI runs before the tests: ruff (pyproject's [tool.ruff]) and mypy on core/ and sweeps/.
source "$(dirname "$0")/_env.sh"
ruff check stp_brainpy tests benchmarks scripts
mypy
