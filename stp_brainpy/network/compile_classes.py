"""A described network as BrainPy classes, for composition with other BrainPy models.

:class:`DescribedNetwork` is a ``bp.DynSysGroup`` with one :class:`PopulationNode` per population (``V``,
``spike`` as ``bm.Variable``; monitor them with ``bp.DSRunner``) and one :class:`StateNode` holding the
synapse-side state (delay rings, STP states, exponential channels, statistics). Its ``update`` runs the same
pure step functions (:mod:`stp_brainpy.network.kernels`) in the same order as the fused scan
(:class:`~stp_brainpy.network.compile_fused.FusedNetwork`), so both give the same spikes, step for step; the
classes pay BrainPy's per-step variable traffic, the fused scan does not.

>>> import brainpy as bp, brainpy.math as bm
>>> from stp_brainpy.network.description import Network, Population, CurrentLIF, Projection, Bernoulli, WhiteNoise
>>> net = Network([Population("E", 40, CurrentLIF(V0=(0., 20.)))], [Projection("E", "E", Bernoulli(0.1), 0.5)],
...               [WhiteNoise("E", 22.0, 1.0)], duration=20.0)
>>> model = to_brainpy(net)
>>> bm.set_dt(net.dt)
>>> runner = bp.DSRunner(model, monitors={"spike": model.pops["E"].spike}, progress_bar=False)
>>> _ = runner.run(net.duration)
"""
from __future__ import annotations

from typing import Optional

import brainpy as bp
import brainpy.math as bm
import jax
import jax.numpy as jnp
import numpy as np

from .compile_fused import FusedNetwork
from .description import Network

__all__ = ["PopulationNode", "StateNode", "DescribedNetwork", "to_brainpy"]


class PopulationNode(bp.DynamicalSystem):
    """One population's membrane state (``V``; ``ref`` or last spike time) and its ``spike`` of this step."""

    def __init__(self, pop, state, name: Optional[str] = None):
        super().__init__(name=name)
        self.pop = pop
        self.num = pop.size
        self.V = bm.Variable(state[0]) if state else bm.Variable(jnp.zeros(pop.size))
        self.aux = bm.Variable(state[1]) if state else None
        self.spike = bm.Variable(jnp.zeros(pop.size, bool))

    def update(self, *args, **kwargs):  # advanced by DescribedNetwork, in the fused scan's order
        return self.spike.value


class StateNode(bp.DynamicalSystem):
    """Rings, STP states, channels, statistics and sample buffers, as a flat list of ``bm.Variable``."""

    def __init__(self, leaves, name: Optional[str] = None):
        super().__init__(name=name)
        self.leaves = bm.VarList([bm.Variable(x) for x in leaves])

    def update(self, *args, **kwargs):
        return None


class DescribedNetwork(bp.DynSysGroup):
    """The network of a :class:`~stp_brainpy.network.description.Network` as BrainPy classes (see module)."""

    def __init__(self, net: Network, backend: str = "auto", dtype=None, name: Optional[str] = None):
        super().__init__(name=name)
        self.net = net
        n = net.n_neurons
        self.fused = FusedNetwork(net, backend=backend, dtype=dtype or bm.float_, raster=np.arange(n))
        carry = self.fused.init_carry()
        pops, rest = carry[0], carry[1:]
        leaves, self._treedef = jax.tree_util.tree_flatten(rest)
        self.pops = {p.name: PopulationNode(p, st) for p, st in zip(net.populations, pops)}
        for k, node in enumerate(self.pops.values()):
            setattr(self, f"pop{k}", node)
        self.state = StateNode(leaves)
        self._key = jax.random.PRNGKey(net.seed)
        self.spike = bm.Variable(jnp.zeros(n, bool))

    def update(self):
        i = jnp.asarray(bp.share.load("i"), jnp.int32)
        pops = [((node.V.value, node.aux.value) if node.aux is not None else ()) for node in self.pops.values()]
        rest = jax.tree_util.tree_unflatten(self._treedef, [v.value for v in self.state.leaves])
        carry = (pops, *rest)
        new, out = self.fused.step(carry, i, self._key)
        for node, st in zip(self.pops.values(), new[0]):
            if node.aux is not None:
                node.V.value, node.aux.value = st
        for var, val in zip(self.state.leaves, jax.tree_util.tree_leaves(new[1:])):
            var.value = val
        spike = out["raster"]
        off = self.net.offsets
        for name, node in self.pops.items():
            node.spike.value = spike[off[name]:off[name] + node.num]
        self.spike.value = spike
        return spike


def to_brainpy(net: Network, backend: str = "auto", dtype=None) -> DescribedNetwork:
    """The BrainPy-class compilation of ``net`` (same synapses, same spikes as the fused scan)."""
    if not isinstance(net, Network):
        raise TypeError(f"net must be a Network; got {type(net).__name__}")
    return DescribedNetwork(net, backend=backend, dtype=dtype)
