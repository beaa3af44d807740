"""The fused COBA(-STP) simulator: the COBA description compiled to one ``lax.scan`` (the fast path).

COBA is an instance of the network description (:func:`stp_brainpy.network.instances.coba_network`: two
conductance-LIF populations, E→E and E→I Tsodyks–Markram under ``cfg.stp``); :class:`FusedCOBA` keeps the
configuration-level API (``cfg``, ``record``, ``capacities``) over
:class:`~stp_brainpy.network.compile_fused.FusedNetwork`, whose deliveries are merged per source population
and synapse kind. The test suite checks its spikes against the BrainPy classes
(:class:`~stp_brainpy.network.models.COBANetwork`) and an independent NumPy network, step for step. This
module imports JAX only (not brainpy), so the fused path starts fast.

>>> from stp_brainpy.network import COBAConfig, simulate
>>> res = simulate(COBAConfig(n_neurons=200, in_degree=40, duration=20.0))
>>> sorted(k for k in res if k in ("rate_hz", "cv_isi", "sim_s"))
['cv_isi', 'rate_hz', 'sim_s']
"""
from __future__ import annotations

from typing import Optional

import jax.numpy as jnp
import numpy as np

from ..core.validation import check_choice, check_integer
from .compile_fused import FusedNetwork
from .config import COBAConfig, build_connectivity
from .connectivity import Connectivity
from .description import from_connector, is_connector
from .events import BACKENDS
from .instances import coba_network

__all__ = ["FusedCOBA", "simulate"]

class FusedCOBA:
    """The whole network as one jitted ``lax.scan``; build once, ``run()`` many times.

    Parameters
    ----------
    cfg : COBAConfig
    conn : Connectivity or bp.conn connector, optional (built from ``cfg`` when omitted)
    backend : event delivery, 'auto' | 'native' | 'xla'
    record : number of neurons whose spikes are returned per step (raster): the first E and the first
        I neurons in proportion, all neurons in order when ``record == n_neurons``
    dtype : float dtype (default: brainpy/jax default float, float32 unless x64 is on)
    capacities : active-source buffer sizes tried in turn by the XLA delivery path (GPU), the last
        must be ``n_neurons``; default :func:`~stp_brainpy.network.events.capacity_ladder`
    cache : turn on JAX's persistent compilation cache (:func:`stp_brainpy.enable_compilation_cache`,
        process-wide, default off as in JAX): a later process loads the compiled scan instead of compiling it
        (4000 neurons: compile ~1 s -> ~0.3 s, tracing included; same spikes)
    """

    def __init__(self, cfg: COBAConfig, conn: Optional[Connectivity] = None, backend: str = "auto",
                 record: int = 0, dtype=None, capacities=None, cache: bool = False):
        if not isinstance(cfg, COBAConfig):
            raise TypeError(f"cfg must be a COBAConfig; got {type(cfg).__name__}")
        check_choice("backend", backend, BACKENDS)
        if not isinstance(cache, bool):
            raise TypeError(f"cache must be True or False; got {cache!r}")
        n, ne = cfg.n_neurons, cfg.n_exc
        record = check_integer("record", record, low=0)
        if is_connector(conn):
            conn = from_connector(conn, n, n)
        if conn is not None and not isinstance(conn, Connectivity):
            raise TypeError(f"conn must be a Connectivity or a bp.conn connector; got {type(conn).__name__}")
        if conn is not None and (conn.n_pre != n or conn.n_post != n):
            raise ValueError(f"conn must be {n}x{n}; got {conn.n_pre}x{conn.n_post}")
        if dtype is not None and jnp.dtype(dtype) not in (jnp.dtype("float32"), jnp.dtype("float64")):
            raise ValueError(f"dtype must be float32 or float64; got {jnp.dtype(dtype)}")
        if capacities is not None:
            capacities = tuple(check_integer("capacities", k, low=1) for k in capacities)
            if not capacities or capacities[-1] != n:
                raise ValueError(f"capacities must end with n_neurons={n} (the buffer that never overflows); got {capacities}")
        cfg.check_fits(min(record, n))  # before anything is allocated
        self.cfg = cfg
        self.conn = build_connectivity(cfg) if conn is None else conn
        self.backend, self.record = backend, int(min(record, n))
        self.capacities = None if capacities is None else tuple(int(k) for k in capacities)
        # raster rows: the first neurons of each population, in proportion (all when record == n)
        k_e = min(ne, int(round(self.record * ne / n)))
        self.rec_idx = np.r_[0:k_e, ne:ne + self.record - k_e].astype(np.int32)
        self.sim = FusedNetwork(coba_network(cfg, self.conn), backend=backend, dtype=dtype,
                                raster=self.rec_idx if self.record else None, capacities=self.capacities,
                                cache=cache)
        self.dtype = self.sim.dtype
        self.build_s = self.sim.build_s
        self.compile_s = None

    def compile(self) -> float:
        """Lower and compile (timed, seconds)."""
        self.compile_s = self.sim.compile()
        return self.compile_s

    def run(self) -> dict:
        """Simulate ``cfg.duration`` ms; returns statistics, population counts, raster (NumPy)."""
        if self.compile_s is None:
            self.compile()
        res = self.sim.run()
        res["pop_count"] = res["pop_count"].sum(axis=1).astype(np.int32)
        res["n_synapses"] = self.conn.nnz
        if self.record:
            res["raster_neurons"] = self.rec_idx
        else:
            res.pop("raster", None)
        return res


def simulate(cfg: COBAConfig = COBAConfig(), backend: str = "auto", record: int = 0, dtype=None,
             cache: bool = False) -> dict:
    """Build, compile and run the fused COBA(-STP) network once; see :class:`FusedCOBA` (``cache``) and
    :meth:`FusedCOBA.run`."""
    return FusedCOBA(cfg, backend=backend, record=record, dtype=dtype, cache=cache).run()
