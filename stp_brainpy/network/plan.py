"""From a :class:`~stp_brainpy.network.description.Network` to arrays: channels, delivery groups, synapses.

Shared by the fused simulator and the BrainPy classes, so both see the same synapses in the same order.

* A **channel** is one (target population, receptor) pair: a block of that population's size in one flat
  vector; receptors are ``('delta',)``, ``('exp', tau_s)`` and ``('cond', tau_s, E)``, in order of first use.
* A **group** merges every projection from one source population with the same synapse kind (static, or one
  homogeneous STP setting, or one heterogeneous projection): one delivery per step. Its synapses are laid out
  source-major (ELL rows, padded) with a flat channel index per slot. A group with one delay and homogeneous
  STP keeps a source-side ring of ``D`` steps (mode ``'source'``); otherwise every event goes into the
  target-side ring at ``(step + d) mod R`` (mode ``'ring'``), which is how per-synapse delays are exact.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from ..core import family
from .description import STPModel, Network, build_conn, delays_to_steps, sample
from .sizes import check_fits, expected_synapses

__all__ = ["Channel", "Group", "Plan", "make_plan"]


@dataclass
class Channel:
    pop: str
    receptor: tuple
    offset: int
    size: int


@dataclass
class Group:
    pre: str
    n_pre: int
    stp: Optional[STPModel]
    mode: str                      # 'source' | 'ring'
    targets: np.ndarray            # (n_pre, deg) int32 flat channel index (padding n_ch) or ring code
    weights: Optional[np.ndarray]  # (n_pre, deg) per slot, None when one weight for all
    weight: float                  # the one weight (when weights is None)
    delay: int                     # steps (mode 'source')
    params: dict = field(default_factory=dict)  # heterogeneous STP: name -> (n_pre, deg)
    mask: Optional[np.ndarray] = None            # (n_pre, deg) real slots
    projections: tuple = ()


@dataclass
class Plan:
    net: Network
    channels: list
    n_ch: int
    groups: list
    ring_steps: int                 # R of the target-side ring (0: none)
    synapses: list                  # per projection: dict(pre, post, delay_ms, delay_steps, weight)


def _channels(net: Network) -> tuple[list, int]:
    seen, out, k = {}, [], 0
    pops = net.by_name
    for pr in net.projections:
        key = (pr.post, pr.receptor)
        if key not in seen:
            size = pops[pr.post].size
            seen[key] = Channel(pr.post, pr.receptor, k, size)
            out.append(seen[key])
            k += size
    return out, k


def _ell(pre: np.ndarray, n_pre: int, columns: dict, fills: dict) -> dict:
    """Source-major padded rows of each column (pre sorted, stable)."""
    degree = np.bincount(pre, minlength=n_pre) if pre.size else np.zeros(n_pre, np.int64)
    deg = max(int(degree.max()) if n_pre else 0, 1)
    mask = np.arange(deg) < degree[:, None]
    out = {"mask": mask}
    for name, col in columns.items():
        arr = np.full((n_pre, deg), fills[name], col.dtype)
        arr[mask] = col
        out[name] = arr
    return out


KEEP_SYNAPSES = 2_000_000  # per-synapse draws kept for inspection (Plan.synapses) up to this many


def make_plan(net: Network, dtype=np.float32) -> Plan:
    """Draw every synapse (connectivity, weights, delays, heterogeneous STP parameters) and lay them out.

    ``Plan.synapses`` keeps each projection's draws (pre, post, delay in ms and steps, weight, STP
    parameters, CSR order) for networks up to :data:`KEEP_SYNAPSES` synapses (else None: 40 B per synapse)."""
    if not isinstance(net, Network):
        raise TypeError(f"net must be a Network; got {type(net).__name__}")
    pops = net.by_name
    planned = 0
    for pr in net.projections:
        a, b = pops[pr.pre].size, pops[pr.post].size
        c = pr.conn
        if hasattr(c, "p") and not hasattr(c, "nnz"):
            planned += expected_synapses(a, b, p=c.p)
        elif hasattr(c, "k"):
            planned += expected_synapses(a, b, in_degree=c.k)
    check_fits(f"a network of {net.n_neurons} neurons and {len(net.projections)} projections", planned,
               bytes_per_synapse=96)
    channels, n_ch = _channels(net)
    chan_of = {(c.pop, c.receptor): c for c in channels}
    streams = np.random.SeedSequence(net.seed).spawn(len(net.projections) + 1)
    raw, synapses = {}, []
    for k, pr in enumerate(net.projections):
        s_conn, s_w, s_d, s_p = streams[k].spawn(4)
        n_pre, n_post = pops[pr.pre].size, pops[pr.post].size
        conn = build_conn(pr.conn, n_pre, n_post, s_conn, same=pr.pre == pr.post)
        pre = np.repeat(np.arange(n_pre, dtype=np.int64), conn.degree)
        post = conn.indices.astype(np.int64)
        n = pre.size
        w = sample(pr.weight, np.random.default_rng(s_w), n, "weight")
        d_ms = sample(pr.delay, np.random.default_rng(s_d), n, "delay")
        d = delays_to_steps(d_ms, net.dt)
        params = {}
        if pr.stp is not None and pr.stp.heterogeneous:
            rng = np.random.default_rng(s_p)
            drawn = pr.stp.joint(rng, n) if pr.stp.joint is not None else {}
            for name in family.PARAMS[pr.stp.model]:
                params[name] = sample(drawn.get(name, pr.stp.params[name]), rng, n, name)
            family.check_params(pr.stp.model, **params)
        synapses.append(dict(pre=pre, post=post, delay_ms=d_ms, delay_steps=d, weight=w, params=params, n=n))
        chan = chan_of[(pr.post, pr.receptor)].offset + post
        if pr.stp is None:
            key = (pr.pre, "static")
        elif pr.stp.heterogeneous:
            key = (pr.pre, "hetero", k)
        else:
            key = (pr.pre, pr.stp.key())
        raw.setdefault(key, []).append((k, pre, chan, w, d, params))
    groups, R = [], 0
    for key, parts in raw.items():
        pre_name = key[0]
        n_pre = pops[pre_name].size
        projs = tuple(p[0] for p in parts)
        stp = net.projections[projs[0]].stp
        pre = np.concatenate([p[1] for p in parts])
        chan = np.concatenate([p[2] for p in parts])
        w = np.concatenate([p[3] for p in parts])
        d = np.concatenate([p[4] for p in parts])
        order = np.argsort(pre, kind="stable")
        pre, chan, w, d = pre[order], chan[order], w[order], d[order]
        one_w = w.size == 0 or bool(np.all(w == w[0]))
        one_d = d.size == 0 or bool(np.all(d == d[0]))
        hetero = stp is not None and stp.heterogeneous
        mode = "source" if (one_d and not hetero) else "ring"
        cols = {"chan": chan.astype(np.int64), "w": w.astype(dtype), "d": d}
        fills = {"chan": n_ch, "w": 0.0, "d": 1}
        if hetero:
            for name, v in parts[0][5].items():
                cols[name] = v[order].astype(dtype)
                fills[name] = family.DEFAULTS[stp.model][name] if name != "f" else 0.15
        ell = _ell(pre, n_pre, cols, fills)
        if mode == "ring":
            R = max(R, int(d.max()) if d.size else 1)
        groups.append(Group(pre_name, n_pre, stp, mode, ell["chan"], None if one_w and mode == "source" else ell["w"],
                            float(w[0]) if w.size else 0.0, int(d[0]) if d.size else 1,
                            {k: ell[k] for k in cols if k not in ("chan", "w", "d")}, ell["mask"], projs))
        groups[-1]._d = ell["d"]
    for g in groups:
        if g.mode == "ring":
            L = R * n_ch
            codes = (g._d % R) * n_ch + g.targets
            g.targets = np.where(g.mask, codes, L).astype(np.int32)
        else:
            g.targets = g.targets.astype(np.int32)
        del g._d
    if sum(s["n"] for s in synapses) > KEEP_SYNAPSES:
        synapses = [dict(n=s["n"]) for s in synapses]
    return Plan(net, channels, n_ch, groups, R, synapses)
