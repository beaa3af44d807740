#!/usr/bin/env bash
# Render every figure and table of both source documents into ${1:-figures/}.
source "$(dirname "$0")/_env.sh"
out="${1:-figures}"
shift || true
stp-brainpy all --out "$out" "$@"
