"""brainstate's environment for the brainpy.state skins: dt = 0.1 ms, restored after each test."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def brainstate_dt():
    import brainstate
    import brainunit as u

    brainstate.environ.set(dt=0.1 * u.ms)
    yield 0.1
    brainstate.environ.set(dt=0.1 * u.ms)
