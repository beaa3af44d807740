"""Shared fixtures: float64 on demand, a fresh BrainPy context per test."""
from __future__ import annotations

import os

os.environ.setdefault("MPLBACKEND", "Agg")
# the command line's persistent compilation cache stays off in-process (tests/test_cache.py checks it on)
os.environ.setdefault("STP_BRAINPY_JAX_CACHE", "0")

import pytest


@pytest.fixture
def x64():
    """Run one test in float64 (jax and brainpy defaults), restoring float32 afterwards."""
    import brainpy.math as bm

    bm.enable_x64()
    try:
        yield
    finally:
        bm.disable_x64()


@pytest.fixture(autouse=True)
def _fresh_brainpy():
    """Brainpy keeps global shared state (t, dt, i) and name registries; reset between tests."""
    import brainpy as bp
    import brainpy.math as bm

    bm.set_dt(0.1)
    bp.share.clear_shargs() if hasattr(bp.share, "clear_shargs") else None
    yield
    bm.clear_name_cache(ignore_warn=True) if hasattr(bm, "clear_name_cache") else None
