"""From a :class:`~stp_brainpy.network.description.Network` to arrays: channels, delivery groups, synapses.

Shared by the fused simulator and the BrainPy classes, so both see the same synapses in the same order.

* A **channel** is one (target population, receptor) pair: a block of that population's size in one flat
  vector; receptors are ``('delta',)``, ``('exp', tau_s)`` and ``('cond', tau_s, E)``, in order of first use.
* A **group** merges every projection from one source population with the same synapse kind (static, or one
  homogeneous STP setting, or one heterogeneous model and read): one delivery per step. Its synapses are laid out
  source-major (ELL rows, padded) with a flat channel index per slot. A group with one delay and homogeneous
  STP keeps a source-side ring of ``D`` steps (mode ``'source'``); otherwise every event goes into the
  target-side ring at ``(step + d) mod R`` (mode ``'ring'``), which is how per-synapse delays are exact.
* **Blocks** cut the flat channel layout where no group's events cross (``Plan.blocks``, ``Group.block``; one
  block when there is a target-side ring): the step keeps one array per block, each decayed in its own pass and
  delivered into in place (:func:`_blocks`).
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
    block: int = 0                               # the channel block its events land in (Plan.blocks)


@dataclass
class Plan:
    net: Network
    channels: list
    n_ch: int
    groups: list
    ring_steps: int                 # R of the target-side ring (0: none)
    synapses: list                  # per projection: dict(pre, post, delay_ms, delay_steps, weight)
    blocks: list = field(default_factory=list)  # (offset, size) of each block of channels, see _blocks


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


def _blocks(channels: list, n_ch: int, touched: list, ring: bool) -> tuple[list, list]:
    """Split the flat channel vector into blocks that no group's events cross: ``([(offset, size), ...], block
    of each group)``. ``touched[k]`` holds the indices (in ``channels``) of the channels group ``k`` delivers to.

    Each block is a separate array of the step's state, decayed in its own pass and delivered into in place.
    One pass over the whole vector was split by XLA CPU into thread-pool tasks (its cost model splits passes
    over ~256 KB) and read by the neurons as slices at offsets: blocks keep the passes smaller and aligned. The
    channels of a component of the "delivered by one group" relation form a block when they are consecutive
    in the layout (else, and with a target-side ring, whose slots span every channel, one block)."""
    whole = ([(0, n_ch)], [0] * len(touched))
    if ring or len(channels) <= 1:
        return whole
    root = list(range(len(channels)))

    def find(a):
        while root[a] != a:
            root[a] = root[root[a]]
            a = root[a]
        return a

    for t in touched:
        for a in t[1:]:
            root[find(a)] = find(t[0])
    comps: dict = {}
    for a in range(len(channels)):
        comps.setdefault(find(a), []).append(a)
    parts = sorted(comps.values())
    if any(p != list(range(p[0], p[-1] + 1)) for p in parts):
        return whole
    blocks = [(channels[p[0]].offset, sum(channels[a].size for a in p)) for p in parts]
    which = {a: b for b, p in enumerate(parts) for a in p}
    return blocks, [which[t[0]] if t else 0 for t in touched]


def _layout(degrees: list, n_pre: int) -> tuple:
    """ELL masks of a group whose projections have out-degrees ``degrees`` (one array per projection).

    Row ``r`` holds projection 0's synapses of source ``r``, then projection 1's, ... (each in CSR order): the
    layout a stable sort of the concatenated synapses by source gives, without the sort. Returns (mask of the
    real slots, one mask per projection)."""
    total = np.zeros(n_pre, np.int64)
    for d in degrees:
        total += d
    deg = max(int(total.max()) if n_pre else 0, 1)
    slot = np.arange(deg)
    mask = slot < total[:, None]
    if len(degrees) == 1:
        return mask, [mask]
    parts, below = [], np.zeros(n_pre, np.int64)
    for d in degrees:
        parts.append((slot >= below[:, None]) & (slot < (below + d)[:, None]))
        below = below + d
    return mask, parts


def _fill(mask: np.ndarray, parts: list, cols: list, fill, dtype) -> np.ndarray:
    """``cols[k]`` (projection k's per-synapse values, CSR order) written into the slots of ``parts[k]``."""
    out = np.full(mask.shape, fill, dtype)
    for m, c in zip(parts, cols):
        if c.size:
            out[m] = c
    return out


KEEP_SYNAPSES = 2_000_000  # per-synapse draws kept for inspection (Plan.synapses) up to this many


def _draw(net: Network, k: int, pr, stream) -> dict:
    """Connectivity, weights, delays and heterogeneous STP parameters of projection ``k`` (CSR order)."""
    pops = net.by_name
    s_conn, s_w, s_d, s_p = stream.spawn(4)
    n_pre, n_post = pops[pr.pre].size, pops[pr.post].size
    conn = build_conn(pr.conn, n_pre, n_post, s_conn, same=pr.pre == pr.post)
    n = conn.nnz
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
    return dict(conn=conn, weight=w, delay_ms=d_ms, delay_steps=d, params=params, n=n)


def _uniform(arrays: list) -> tuple:
    """(whether every value of the arrays is one value, that value or None when all are empty)."""
    first = next((a.flat[0] for a in arrays if a.size), None)
    if first is None:
        return True, None
    return all(a.size == 0 or bool(np.all(a == first)) for a in arrays), first


def make_plan(net: Network, dtype=np.float32) -> Plan:
    """Draw every synapse (connectivity, weights, delays, heterogeneous STP parameters) and lay them out.

    ``Plan.synapses`` keeps each projection's draws (pre, post, delay in ms and steps, weight, STP
    parameters, CSR order) for networks up to :data:`KEEP_SYNAPSES` synapses (else ``dict(n=...)`` only:
    40 B per synapse). Every projection draws from its own streams of ``net.seed``, so the synapses do not
    depend on how the projections are grouped."""
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
    draws = [_draw(net, k, pr, streams[k]) for k, pr in enumerate(net.projections)]
    keys = {}
    for k, pr in enumerate(net.projections):
        if pr.stp is None:
            key = (pr.pre, "static")
        elif pr.stp.heterogeneous:
            key = (pr.pre, "hetero", pr.stp.model, pr.stp.read)  # parameters are per synapse: one group
        else:
            key = (pr.pre, pr.stp.key())
        keys.setdefault(key, []).append(k)
    # modes first: the target-side ring's length R (the longest delay of any ring group) enters every code
    info, R = [], 0
    for key, projs in keys.items():
        stp = net.projections[projs[0]].stp
        one_w, w0 = _uniform([draws[k]["weight"] for k in projs])
        one_d, d0 = _uniform([draws[k]["delay_steps"] for k in projs])
        hetero = stp is not None and stp.heterogeneous
        mode = "source" if (one_d and not hetero) else "ring"
        if mode == "ring":
            R = max([R, 1] + [int(draws[k]["delay_steps"].max()) for k in projs if draws[k]["n"]])
        info.append((key, projs, stp, (one_w, w0), (one_d, d0), hetero, mode))
    L = R * n_ch
    idx_t = np.int32 if max(L, n_ch) < 2**31 - 1 else np.int64
    groups = []
    for key, projs, stp, w0, d0, hetero, mode in info:
        pre_name = key[0]
        n_pre = pops[pre_name].size
        mask, parts = _layout([draws[k]["conn"].degree for k in projs], n_pre)
        chans = []
        for k in projs:
            pr, dr = net.projections[k], draws[k]
            chan = np.add(dr["conn"].indices, chan_of[(pr.post, pr.receptor)].offset, dtype=idx_t)
            if mode == "ring":  # slot of the arrival step in the target-side ring, then the channel
                slot = np.remainder(dr["delay_steps"], R).astype(idx_t)
                slot *= n_ch
                chan += slot
                del slot
            chans.append(chan)
        targets = _fill(mask, parts, chans, L if mode == "ring" else n_ch, idx_t).astype(np.int32, copy=False)
        del chans
        weights = None
        if not (w0[0] and mode == "source"):
            weights = _fill(mask, parts, [draws[k]["weight"].astype(dtype) for k in projs], 0.0, dtype)
        params = {}
        if hetero:
            fills = {name: family.DEFAULTS[stp.model][name] if name != "f" else 0.15 for name in draws[projs[0]]["params"]}
            params = {name: _fill(mask, parts, [draws[k]["params"][name].astype(dtype) for k in projs], fills[name], dtype)
                      for name in draws[projs[0]]["params"]}
        # weight and delay are the group's one value (read only when weights is None / in mode 'source')
        groups.append(Group(pre_name, n_pre, stp, mode, targets, weights, 0.0 if w0[1] is None else float(w0[1]),
                            1 if d0[1] is None else int(d0[1]), params, mask, tuple(projs)))
    synapses = []
    keep = sum(dr["n"] for dr in draws) <= KEEP_SYNAPSES
    for dr in draws:
        if keep:
            conn = dr["conn"]
            synapses.append(dict(pre=np.repeat(np.arange(conn.n_pre, dtype=np.int64), conn.degree),
                                 post=conn.indices.astype(np.int64), delay_ms=dr["delay_ms"],
                                 delay_steps=dr["delay_steps"], weight=dr["weight"], params=dr["params"], n=dr["n"]))
        else:
            synapses.append(dict(n=dr["n"]))
    index = {id(c): a for a, c in enumerate(channels)}
    touched = [sorted({index[id(chan_of[(net.projections[k].post, net.projections[k].receptor)])] for k in g.projections})
               for g in groups]
    blocks, which = _blocks(channels, n_ch, touched, R > 0)
    for g, b in zip(groups, which):
        g.block = b
    return Plan(net, channels, n_ch, groups, R, synapses, blocks)
