"""Connection rules of the network description: :class:`Bernoulli`, :class:`FixedInDegree`, :class:`Pairs`,
and the conversion of ``bp.conn`` connectors, all turned into a
:class:`~stp_brainpy.network.connectivity.Connectivity` by :func:`build_conn`."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .connectivity import Connectivity, bernoulli, fixed_in_degree, from_pairs

__all__ = ["Bernoulli", "FixedInDegree", "Pairs", "is_connector", "from_connector", "build_conn"]


@dataclass(frozen=True)
class Bernoulli:
    p: float
    allow_autapses: bool = True


@dataclass(frozen=True)
class FixedInDegree:
    k: int
    allow_autapses: bool = True


@dataclass(frozen=True)
class Pairs:
    pre: Any
    post: Any


def is_connector(conn) -> bool:
    """Whether ``conn`` is a brainpy connector (``bp.conn.*`` / ``bp.connect.*``)."""
    return hasattr(conn, "require") and callable(conn) and not isinstance(conn, Connectivity)


def from_connector(conn, n_pre: int, n_post: int) -> Connectivity:
    """The synapses of a brainpy connector between ``n_pre`` and ``n_post`` neurons, as a Connectivity.

    The package's one conversion (description projections, :class:`~stp_brainpy.network.EventSTPProjection`,
    the COBA builders). An unsized connector is sized here; one sized before must match. A seeded random
    connector advances its generator on every draw, so it is drawn once: pass the Connectivity around after.
    """
    if not is_connector(conn):
        raise TypeError(f"conn must be a brainpy connector (bp.conn.*); got {type(conn).__name__}")
    sized = getattr(conn, "pre_num", None), getattr(conn, "post_num", None)
    if sized[0] is None:
        conn = conn(n_pre, n_post)
    elif sized != (n_pre, n_post):
        raise ValueError(f"conn was sized {sized[0]}x{sized[1]}; this projection is {n_pre}x{n_post}")
    pre, post = conn.require("pre_ids", "post_ids")
    return from_pairs(np.asarray(pre), np.asarray(post), n_pre, n_post)


def build_conn(conn, n_pre: int, n_post: int, seed, same: bool) -> Connectivity:
    """The synapses of a connector (``same``: pre and post are one population, autapse rule applies)."""
    if isinstance(conn, Connectivity):
        if conn.n_pre != n_pre or conn.n_post != n_post:
            raise ValueError(f"conn must be {n_pre}x{n_post}; got {conn.n_pre}x{conn.n_post}")
        return conn
    if isinstance(conn, Bernoulli):
        return bernoulli(n_pre, n_post, conn.p, seed, allow_autapses=conn.allow_autapses or not same)
    if isinstance(conn, FixedInDegree):
        return fixed_in_degree(n_pre, n_post, conn.k, seed, allow_autapses=conn.allow_autapses or not same)
    if isinstance(conn, Pairs):
        return from_pairs(conn.pre, conn.post, n_pre, n_post)
    if is_connector(conn):
        return from_connector(conn, n_pre, n_post)
    raise TypeError(f"conn must be Bernoulli, FixedInDegree, Pairs, a Connectivity or a bp.conn connector; "
                    f"got {type(conn).__name__}")
