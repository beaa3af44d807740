"""The STD / STF explorers (``my_illus_STD``) and the g₁, g₁₀, g₁₀/g₁ curves against the input rate."""
from __future__ import annotations

import functools
from typing import Sequence

import jax
import jax.numpy as jnp
import numpy as np

from ...core.cond_lif import stp_conductance
from ...core.spike_inputs import isi_steps, regular_train
from ...core.validation import check_choice, check_finite, check_positive, check_probability
from ...sweeps import sweep, zipped
from ...units import accepts_units
from ..plotting import host_arrays
from .checks import check_rates, check_seed, check_section
from .membrane import stream_key
from .parameters import DT, EXPLORER_SPIKES, G_BAR, RATIO_RATES, RATIO_SPIKE, STREAM_EXPLORER, SYNAPSES, TAU_S

__all__ = ["stp_explorer", "stp_explorers", "g_ratio_curves"]


@accepts_units(rate="Hz", U0="1", tau_d="ms", tau_f="ms")
def stp_explorer(kind: str = "STD", rate: float = 10.0, poisson: bool = False, seed: int = 0,
                 method: str = "euler", U0=None, tau_d=None, tau_f=None) -> dict:
    """The tutorial's ``my_illus_STD``: one train for 10 inter-spike intervals, traces of u, R (= x), g.

    ``kind`` picks the explorer's synapse (``'STD'``: U0 .5, τd 100, τf 50; ``'STF'``: U0 .2,
    τd 100, τf 750) unless U0/tau_d/tau_f are given. Regular trains use the tutorial's index
    convention; ``g1``, ``g10`` are ``g[isi]``, ``g[9·isi]`` as it reports them (regular only).
    """
    return stp_explorers([(kind, rate, poisson)], seed=seed, method=method, U0=U0, tau_d=tau_d, tau_f=tau_f)[0]


@functools.partial(jax.jit, static_argnames=("method",))
def _explorer_batch(trains, U, tau_d, tau_f, *, method: str):
    one = lambda tr, a, b, c: stp_conductance(tr, a, tau_f=c, tau_d=b, g_bar=G_BAR, tau_s=TAU_S, dt=DT, method=method)
    return jax.vmap(one)(trains, U, tau_d, tau_f)


def _check_synapse(U0, tau_d, tau_f) -> None:
    for name, value in (("U0", U0), ("tau_d", tau_d), ("tau_f", tau_f)):
        if value is not None:
            check_finite(name, value, "" if name == "U0" else "ms")
    if U0 is not None:
        check_probability("U0", U0)
    for name, value in (("tau_d", tau_d), ("tau_f", tau_f)):
        if value is not None:
            check_positive(name, value)


@accepts_units(cases="Hz", U0="1", tau_d="ms", tau_f="ms")
def stp_explorers(cases: Sequence[tuple], seed: int = 0, method: str = "euler", U0=None, tau_d=None,
                  tau_f=None) -> list[dict]:
    """Several explorer runs ``(kind, rate, poisson)`` in ONE call (trains padded to the longest; causal)."""
    from ...inputs import poisson_train

    seed = check_seed(seed)
    check_section(method)
    _check_synapse(U0, tau_d, tau_f)
    if len(cases) == 0:
        raise ValueError("cases must hold at least one (kind, rate, poisson) case; got none")
    specs, trains = [], []
    for i, case in enumerate(cases):
        if len(case) != 3:
            raise ValueError(f"cases[{i}] must be (kind, rate, poisson); got {case!r}")
        kind, rate, poisson = case
        check_choice("kind", kind, tuple(SYNAPSES))
        rate = float(check_rates("rate", rate, positive=True)[0])
        U, td, tf = SYNAPSES[kind]
        U, td, tf = (a if b is None else b for a, b in ((U, U0), (td, tau_d), (tf, tau_f)))
        T = EXPLORER_SPIKES * 1000 / rate  # 10 spikes in the window, as the tutorial
        steps = np.arange(0, T, DT).size
        isi = isi_steps(rate, DT)
        if poisson:
            tr = np.asarray(poisson_train(rate, 1, T, DT, seed=stream_key(seed, STREAM_EXPLORER + i))[0])
            tr = np.pad(tr, (0, max(steps - tr.size, 0)))[:steps]
        else:
            tr = np.asarray(regular_train(steps, isi))
        specs.append((kind, rate, bool(poisson), U, td, tf, steps, isi))
        trains.append(tr)
    n = max(t.size for t in trains)
    batch = np.stack([np.pad(t, (0, n - t.size)) for t in trains])
    col = lambda j: jnp.asarray([sp[j] for sp in specs], batch.dtype)
    u, x, g = host_arrays(_explorer_batch(jnp.asarray(batch), col(3), col(4), col(5), method=method))
    out = []
    for i, (kind, rate, poisson, U, td, tf, steps, isi) in enumerate(specs):
        d = dict(kind=kind, rate=rate, poisson=poisson, U0=U, tau_d=td, tau_f=tf, t=np.arange(steps) * DT,
                 train=trains[i], u=u[i, :steps], x=x[i, :steps], g=g[i, :steps], method=method)
        if not poisson:
            d.update(g1=float(g[i, isi]), g10=float(g[i, (RATIO_SPIKE - 1) * isi]))
        out.append(d)
    return out


def _g1_g10(isi, U, tau_d, tau_f, *, steps: int, method: str, dt: float = DT) -> dict:
    """g at the 1st and 10th spike of a regular train with ``isi`` steps (one setting of the sweep)."""
    # every rate runs on the longest grid: g at 9·isi is causal, so the padding never matters
    g = stp_conductance(regular_train(steps, isi), U, tau_f=tau_f, tau_d=tau_d, g_bar=G_BAR, tau_s=TAU_S, dt=dt,
                        method=method)[2]
    return {"g1": g[isi], "g10": g[(RATIO_SPIKE - 1) * isi]}


@accepts_units(rates="Hz", dt="ms")
def g_ratio_curves(method: str = "euler", rates: dict | None = None, dt: float = DT) -> dict:
    """g₁, g₁₀ and g₁₀/g₁ against the regular input rate for STD (5–40 Hz) and STF (2–40 Hz).

    One sweep over both synapse types and all their rates (one compiled call); ``dt`` in ms. Returns
    ``{'STD': {...}, 'STF': {...}}`` with ``rates``, ``g1``, ``g10``, ``ratio``.
    """
    check_section(method)
    check_finite("dt", dt, "ms")
    check_positive("dt", dt)
    shortest = min(TAU_S, *(min(td, tf) for _, td, tf in SYNAPSES.values()))
    if method == "euler" and dt >= shortest:
        raise ValueError(f"dt must be below every time constant with method='euler' (shortest: {shortest:g} ms); "
                         f"got {dt:g}")
    if rates is not None and not isinstance(rates, dict):
        raise TypeError(f"rates must be a dict {{'STD': rates, 'STF': rates}} or None; got {type(rates).__name__}")
    given = rates or RATIO_RATES
    missing = [k for k in SYNAPSES if k not in given]
    if missing:
        raise ValueError(f"rates must give the rates of every synapse type {tuple(SYNAPSES)}; missing {missing}")
    rates = {k: check_rates(f"rates[{k!r}]", given[k], dt, positive=True) for k in SYNAPSES}
    steps = max(np.arange(0, EXPLORER_SPIKES * 1000 / v, dt).size for r in rates.values() for v in r)
    kinds = [k for k in SYNAPSES for _ in rates[k]]
    params = np.array([SYNAPSES[k] for k in kinds], float)
    isi = np.array([isi_steps(v, dt) for k in SYNAPSES for v in rates[k]], np.int32)
    ds = sweep(_g1_g10, zipped(isi=isi, U=params[:, 0], tau_d=params[:, 1], tau_f=params[:, 2]),
               static=dict(steps=int(steps), method=method, dt=float(dt)))
    out = {}
    for kind, (U, td, tf) in SYNAPSES.items():
        sel = np.array([k == kind for k in kinds])
        g1, g10 = ds.g1.values[sel], ds.g10.values[sel]
        out[kind] = dict(rates=rates[kind], g1=g1, g10=g10, ratio=g10 / g1, U0=U, tau_d=td, tau_f=tf)
    return out
