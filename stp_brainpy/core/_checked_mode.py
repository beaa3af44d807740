"""Opt-in checked mode: parameter checks on traced values via ``jax.experimental.checkify``.

Re-exported as :func:`stp_brainpy.core.validation.checked`; see that module's docstring.
"""
from __future__ import annotations

import contextlib
import functools
import threading
from typing import Callable, Sequence

__all__ = ["checked", "checking"]

_state = threading.local()


def _checking_active() -> bool:
    return getattr(_state, "depth", 0) > 0


@contextlib.contextmanager
def checking():
    """Context in which the ``check_*`` helpers turn checks of traced values into ``checkify.check`` s.

    Only meaningful while ``jax.experimental.checkify.checkify`` traces the function; use
    :func:`checked`, which sets both up.
    """
    _state.depth = getattr(_state, "depth", 0) + 1
    try:
        yield
    finally:
        _state.depth -= 1


def checked(fn: Callable, *, jit: bool = False, static_argnames: Sequence[str] | str = (),
            static_argnums: Sequence[int] | int = ()) -> Callable:
    """``fn`` with every parameter check active on traced values too (opt-in checked mode).

    Returns a function with ``fn``'s signature that traces ``fn`` under
    ``jax.experimental.checkify`` (optionally jitted: ``jit=True``, with ``static_argnames`` /
    ``static_argnums`` for non-array arguments such as ``method`` or ``n_spikes``), and raises the
    first failed check as ``checkify.JaxRuntimeError`` (a ``ValueError``) with the same message the
    eager check gives. Concrete arguments are checked eagerly as always.
    """
    from jax.experimental import checkify

    @functools.wraps(fn)
    def inner(*args, **kwargs):
        with checking():
            return fn(*args, **kwargs)

    cf = checkify.checkify(inner, errors=checkify.user_checks)
    if jit:
        import jax

        cf = jax.jit(cf, static_argnames=static_argnames, static_argnums=static_argnums)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        err, out = cf(*args, **kwargs)
        err.throw()
        return out

    return wrapper
