"""Which brainpy.state projection types carry PresynapticSTP in the pinned stack (brainpy_state 0.1.0,
brainevent 0.2.1) — the table in stp_brainpy.state's docstring, checked."""
from __future__ import annotations

import numpy as np
import pytest

import brainpy.state as bps
import brainstate
import brainunit as u
import jax.numpy as jnp

from stp_brainpy.state import ConductanceLIF, EventConn, PresynapticSTP

U = 0.5


def _conn():
    return EventConn((np.array([0, 1]), np.array([1, 0])), 2.0 * u.nS, n_pre=2, n_post=2)


class _Source(brainstate.nn.Module):
    """Stands in for a presynaptic population: neuron 0 spikes."""

    def update(self):
        return jnp.array([1.0, 0.0])


def _expon():
    return bps.Expon.desc(2, tau=5.0 * u.ms)


def _coba():
    return bps.COBA.desc(E=0.0 * u.mV)


def _step(proj, post, *args):
    brainstate.nn.init_all_states(post)
    brainstate.nn.init_all_states(proj)
    with brainstate.environ.context(t=1.0 * u.ms, i=10):
        proj(*args)
        post()


def test_delta_proj_carries_the_efficacy_into_the_neuron():
    post = ConductanceLIF(2)
    _step(bps.DeltaProj(PresynapticSTP(2, U), comm=_conn(), post=post, label="w_ex"), post, jnp.array([1.0, 0.0]))
    np.testing.assert_allclose(post.gE.value.to_decimal(u.nS), [0.0, 2.0 * U])


def test_align_post_proj_carries_the_efficacy_into_its_synapse():
    post = ConductanceLIF(2)
    proj = bps.AlignPostProj(PresynapticSTP(2, U), comm=_conn(), syn=_expon(), out=_coba(), post=post)
    _step(proj, post, jnp.array([1.0, 0.0]))
    np.testing.assert_allclose(proj.syn.g.value.to_decimal(u.nS), [0.0, 2.0 * U])


def test_align_projections_stp_argument_fails_in_this_stack():
    # both wrap the STP output in brainevent.MaskedFloat, which brainevent 0.2.1 does not have
    for make in (lambda post: bps.align_post_projection(_Source(), comm=_conn(), syn=_expon(), out=_coba(),
                                                        post=post, stp=PresynapticSTP(2, U)),
                 lambda post: bps.align_pre_projection(_Source(), syn=bps.Expon(2, tau=5.0 * u.ms), comm=_conn(),
                                                       out=bps.COBA(E=0.0 * u.mV), post=post, stp=PresynapticSTP(2, U))):
        post = ConductanceLIF(2)
        with pytest.raises(AttributeError, match="MaskedFloat"):
            _step(make(post), post)


def test_align_post_projection_with_stp_as_a_spike_generator_works():
    # the workaround: chain PresynapticSTP after the source; EventConn reads the graded value that
    # align_post_projection wraps in a brainevent.BinaryArray
    post = ConductanceLIF(2)
    proj = bps.align_post_projection(_Source(), PresynapticSTP(2, U), comm=_conn(), syn=_expon(), out=_coba(),
                                     post=post)
    _step(proj, post)
    np.testing.assert_allclose(proj.projection.syn.g.value.to_decimal(u.nS), [0.0, 2.0 * U])
