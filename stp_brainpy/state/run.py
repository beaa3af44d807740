"""Run a brainstate model step by step and record, the brainpy.state way (``for_loop`` + ``environ``)."""
from __future__ import annotations

from typing import Any, Callable, Optional

import brainstate
import brainunit as u
import jax.numpy as jnp

from ..core.validation import check_positive
from ..units import to_unit

__all__ = ["run"]


def run(step: Callable[[], Any], duration, *, dt=None, record: Optional[Callable[[], Any]] = None):
    """Call ``step()`` once per time step for ``duration`` inside ``brainstate.transform.for_loop``.

    Step ``i`` runs in ``brainstate.environ.context(i=i, t=i·dt)``; ``dt`` defaults to the one in
    ``brainstate.environ`` (and is set there when given). ``record()`` (optional) is called after
    each step and whatever pytree it returns (state values, Quantities) comes back stacked along a
    leading time axis; without it the outputs of ``step()`` are returned that way.

    Example::

        >>> import brainstate, brainunit as u
        >>> from stp_brainpy.state import ConductanceLIF, run
        >>> neu = ConductanceLIF.coba(1, V_init=-55 * u.mV)
        >>> brainstate.environ.set(dt=0.1 * u.ms)
        >>> brainstate.nn.init_all_states(neu)  # doctest: +ELLIPSIS
        ConductanceLIF(...)
        >>> V = run(neu.update, 2 * u.ms, record=lambda: neu.V.value)
        >>> V.shape
        (20, 1)
    """
    if dt is not None:
        brainstate.environ.set(dt=u.Quantity(to_unit("dt", dt, "ms"), unit=u.ms))
    dt_val = to_unit("dt", brainstate.environ.get_dt(), "ms")
    check_positive("dt", dt_val)
    T = to_unit("duration", duration, "ms")
    check_positive("duration", T)
    n = int(round(T / dt_val))

    def body(i):
        with brainstate.environ.context(i=i, t=u.Quantity(i * dt_val, unit=u.ms)):
            out = step()
            return record() if record is not None else out

    return brainstate.transform.for_loop(body, jnp.arange(n))
