"""The deterministic STP family (:data:`stp_brainpy.core.family.DETERMINISTIC`) as seen by the synapse classes.

One adapter, no equations: the state of each variant is the core's NamedTuple and each time step is the
core's own ``step`` (:func:`stp_brainpy.core.stp.stp_step`, :func:`stp_brainpy.core.markram.step`,
:func:`stp_brainpy.core.tm3.step`). The classes keep one ``bm.Variable`` per state field
(:data:`FIELDS`).
"""
from __future__ import annotations

from typing import Any

from ..core import family, markram, tm3
from ..core.stp import STPState, stp_step, validate_stp_params
from ..core.validation import check_choice

__all__ = ["FIELDS", "check_synapse_model", "validate_synapse_params", "default_u0", "params", "initial", "step"]

#: State fields of each variant (one brainpy Variable each).
FIELDS: dict[str, tuple[str, ...]] = {"tm": ("u", "x"), "markram": ("u", "x"), "tm3": ("u", "x", "y")}

_STATES: dict[str, Any] = {"tm": STPState, "markram": markram.MarkramState, "tm3": tm3.TM3State}


def check_synapse_model(model: Any, method: str, f: Any, tau_psc: Any, read: Any) -> str:
    """``model`` one of the deterministic variants; options only where they mean something."""
    model = check_choice("model", model, family.DETERMINISTIC)
    if model != "tm" and method != "exact":
        raise ValueError(f"method must be 'exact' for model={model!r} (forward Euler exists for 'tm' only); "
                         f"got {method!r}")
    if f is not None and model != "markram":
        raise ValueError(f"f is a parameter of model='markram' only; got f={f!r} with model={model!r}")
    if tau_psc is not None and model != "tm3":
        raise ValueError(f"tau_psc is a parameter of model='tm3' only; got tau_psc={tau_psc!r} with model={model!r}")
    if model == "markram":
        family.check_read(read)
    elif read not in (None, "before"):
        raise ValueError(f"read is an option of model='markram' only; got read={read!r} with model={model!r}")
    return model


def validate_synapse_params(model: str, *, U, tau_f, tau_d, f, tau_psc, u0, x0, dt, method: str,
                            **extra) -> tuple[int, ...]:
    """Eager range checks of the variant's parameters; returns their common broadcast shape."""
    if model == "markram":
        markram.validate_params(U, f=U if f is None else f, tau_f=tau_f, tau_d=tau_d, u0=u0, x0=x0)
    elif model == "tm3":
        tm3.validate_params(U, tau_f=tau_f, tau_d=tau_d, tau_psc=3.0 if tau_psc is None else tau_psc, u0=u0, x0=x0)
    return validate_stp_params(U=U, tau_f=tau_f, tau_d=tau_d, dt=dt, method=method, u0=u0 if model == "tm" else None,
                               x0=x0, f=f, tau_psc=tau_psc, **extra)


def default_u0(model: str, U):
    """Resting utilisation: 0 for ``tm`` and ``tm3``, ``U`` for ``markram``."""
    return U if model == "markram" else 0.0


def params(model: str, *, U, tau_f, tau_d, f=None, tau_psc=None) -> tuple:
    """The core's parameter tuple of ``model`` (unchecked; :func:`validate_synapse_params` first)."""
    if model == "markram":
        return markram.MarkramParams(U, U if f is None else f, tau_f, tau_d)
    if model == "tm3":
        return tm3.TM3Params(U, tau_f, tau_d, 3.0 if tau_psc is None else tau_psc)
    return (U, tau_f, tau_d)


def initial(model: str, u0, x0) -> dict[str, Any]:
    """Initial value of each state field (``y`` of ``tm3`` starts at 0)."""
    values = {"u": u0, "x": x0}
    if model == "tm3":
        values["y"] = 0.0
    return values


def step(model: str, values: tuple, spike, p: Any, dt, method: str = "exact", read: str = "before") -> tuple[tuple, Any]:
    """One step of the core's ``step`` of ``model`` on the state ``values`` (in :data:`FIELDS` order).

    Returns ``(new_values, efficacy)``.
    """
    state: Any = _STATES[model](*values)
    new: Any
    if model == "tm":
        U, tau_f, tau_d = p
        new, eff = stp_step(state, spike, U, tau_f=tau_f, tau_d=tau_d, dt=dt, method=method)
    elif model == "markram":
        new, eff = markram.step(state, spike, p, dt, read=read)
    else:
        new, eff = tm3.step(state, spike, p, dt)
    return tuple(new), eff
