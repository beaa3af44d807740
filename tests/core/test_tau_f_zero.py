"""``tau_f = 0`` with a non-resting initial u: each variant follows its NEST 3.10 counterpart.

What NEST 3.10 does with u when ``tau_fac == 0`` (models/*.h; the transcriptions (``tests/tm_reference.py``'s ``np_tsodyks`` for ``tsodyks_synapse``) are checked against
the committed NEST 3.10 output in tests/reference/ first):

- ``tsodyks2_synapse`` sends with the u it holds, then sets ``u = U + u(1-U)·u_decay`` with ``u_decay = 0``
  for ``tau_fac < 1e-10``: the first spike sees the initial u, every later spike U. -> ``tm`` (its u0 is u
  before the first jump: NEST's ``u = u0 + U(1-u0)``).
- ``tsodyks_synapse`` multiplies u by ``Puu = 0`` before every jump, the first included: ``u⁺ = U`` at every
  spike and its initial u is never used. -> ``tm3``
- ``quantal_stp_synapse`` releases with the u it holds, then updates it as ``tsodyks2_synapse``. -> ``quantal``
- ``markram`` has no NEST model: u relaxes to U at once over any positive interval; the first spike of
  ``t0=None`` reads u0 as given.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import jax
import numpy as np
import pytest

from stp_brainpy.core import family, markram, quantal, stp, tm3
from tm_reference import np_tsodyks

REF = Path(__file__).resolve().parents[1] / "reference" / "nest_tsodyks.json"
TRAINS = [np.array([3.0, 8.0, 8.0, 20.0, 21.5, 60.0]), np.cumsum(np.random.default_rng(4).exponential(12.0, 15))]


def nest_tsodyks2(times, U, u, x, tau_rec, tau_fac):
    """NEST 3.10 ``tsodyks2_synapse``: weight/w and u of every spike (state as set = the first spike's)."""
    out, us, prev = [], [], None
    for t in times:
        if prev is not None:
            h = t - prev
            x_decay = math.exp(-h / tau_rec)
            u_decay = 0.0 if tau_fac < 1.0e-10 else math.exp(-h / tau_fac)
            x = 1.0 + (x - x * u - 1.0) * x_decay
            u = U + u * (1.0 - U) * u_decay
        out.append(x * u)
        us.append(u)
        prev = t
    return np.array(out), np.array(us)


def test_transcriptions_reproduce_nest_3_10(x64):
    data = json.loads(REF.read_text())
    assert data["meta"]["nest"] == "3.10.0"
    two = data["tsodyks2_synapse"]
    # the reference holds tau_fac = 0 with an initial u != U: its first spike is sent with that u
    assert any(c["status"]["tau_fac"] == 0.0 and c["status"]["u"] != c["status"]["U"] for c in two)
    for c in two:
        s = c["status"]
        w, _ = nest_tsodyks2(c["spike_times"], s["U"], s["u"], s["x"], s["tau_rec"], s["tau_fac"])
        np.testing.assert_allclose(s["weight"] * w, c["weights"], rtol=0, atol=1e-12)
    three = data["tsodyks_synapse"]
    assert any(c["status"]["tau_fac"] == 0.0 and c["status"]["u"] != 0.0 for c in three)
    for c in three:
        s = c["status"]
        w = np_tsodyks(c["spike_times"], s["U"], s["tau_fac"], s["tau_rec"], s["tau_psc"], s["u"], s["x"], s["y"],
                       0.0)
        np.testing.assert_allclose(s["weight"] * w, c["weights"], rtol=0, atol=1e-12)


@pytest.mark.parametrize("tau_f", [0.0, 40.0])
@pytest.mark.parametrize("u0, x0", [(0.7, 1.0), (0.3, 0.6), (1.0, 0.4)])
def test_tm_first_spike_sees_u0_as_tsodyks2(x64, tau_f, u0, x0):
    U, tau_d = 0.25, 70.0
    for t in TRAINS:
        ref_e, ref_u = nest_tsodyks2(t, U, u0 + U * (1.0 - u0), x0, tau_d, tau_f)
        e, u_p, _ = stp.event_efficacies(t, U, tau_f=tau_f, tau_d=tau_d, u0=u0, x0=x0)
        np.testing.assert_allclose(np.stack([e, u_p]), np.stack([ref_e, ref_u]), rtol=1e-12, atol=1e-15)
        # the same through intervals (a first interval of 0 holds the state) and the family registry
        e_i, _, _ = stp.interval_efficacies(np.diff(t, prepend=t[0]), U, tau_f=tau_f, tau_d=tau_d, u0=u0, x0=x0)
        np.testing.assert_allclose(e_i, ref_e, rtol=1e-12, atol=1e-15)
        e_f = family.event_efficacies("tm", t, {"U": U, "tau_f": tau_f, "tau_d": tau_d}, u0=u0, x0=x0)
        np.testing.assert_allclose(e_f, ref_e, rtol=1e-12, atol=1e-15)
    isi = 9.0
    ref_e, _ = nest_tsodyks2(np.arange(6) * isi, U, u0 + U * (1.0 - u0), x0, tau_d, tau_f)
    e_r, _, _ = stp.regular_train_efficacies(6, U, tau_f=tau_f, tau_d=tau_d, isi=isi, u0=u0, x0=x0)
    np.testing.assert_allclose(e_r, ref_e, rtol=1e-12, atol=1e-15)


def test_tm_state_placed_before_the_first_spike_has_decayed(x64):
    t = TRAINS[0]
    U, tau_d = 0.25, 70.0
    e, u_p, _ = stp.event_efficacies(t, U, tau_f=0.0, tau_d=tau_d, u0=0.7, t0=t[0] - 2.0)
    np.testing.assert_allclose(u_p, U, rtol=1e-15)  # u emptied over the 2 ms before the first spike
    state = stp.init_state(u0=0.7)
    state, eff = stp.stp_step(state, 1.0, U, tau_f=0.0, tau_d=tau_d, dt=0.1)  # a step before its spike
    assert float(state.u) == pytest.approx(U, rel=1e-15)


@pytest.mark.parametrize("t0", [None, 0.0])
def test_tm3_ignores_u0_as_tsodyks_synapse(x64, t0):
    U, tau_d, tau_psc, x0, y0 = 0.3, 90.0, 4.0, 0.7, 0.2
    for t in TRAINS:
        t_last = t[0] if t0 is None else t0
        ref = np_tsodyks(t, U, 0.0, tau_d, tau_psc, 0.8, x0, y0, t_last)
        for u0 in (0.0, 0.8):
            e, u_p, _, _ = tm3.event_efficacies(t, U, tau_f=0.0, tau_d=tau_d, tau_psc=tau_psc, u0=u0, x0=x0, y0=y0,
                                                t0=t0)
            np.testing.assert_allclose(e, ref, rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(u_p, U, rtol=1e-15)
    # tau_f > 0 keeps the initial u at a first spike without elapsed time (P_uu(0) = 1)
    e, u_p, _, _ = tm3.event_efficacies(TRAINS[0], U, tau_f=50.0, tau_d=tau_d, tau_psc=tau_psc, u0=0.8)
    assert float(u_p[0]) == pytest.approx(0.8 + U * 0.2, rel=1e-14)


def test_tm3_steps_reset_u_like_events(x64):
    p = tm3.TM3Params(0.3, 0.0, 90.0, 4.0)
    state = tm3.rest_state(u0=0.8, x0=0.7, y0=0.2)
    state, eff = tm3.step(state, True, p, 0.5)
    ref = np_tsodyks([0.5], 0.3, 0.0, 90.0, 4.0, 0.8, 0.7, 0.2, 0.0)
    np.testing.assert_allclose(float(eff), ref[0], rtol=1e-12)


@pytest.mark.parametrize("n", [1, 5])
def test_quantal_first_spike_releases_with_u0_as_quantal_stp_synapse(x64, n):
    U, tau_d, u0 = 0.3, 60.0, 0.6
    for t in TRAINS:
        _, ref_u = nest_tsodyks2(t, U, u0 + U * (1.0 - u0), 1.0, tau_d, 0.0)
        rel, u_p, a_m = quantal.event_releases(t, U, tau_f=0.0, tau_d=tau_d, n=n, key=jax.random.key(3), u0=u0)
        np.testing.assert_allclose(u_p, ref_u, rtol=1e-14)
        assert np.all((0 <= np.asarray(rel)) & (np.asarray(rel) <= np.asarray(a_m)))
        mean, u_m, x_m = quantal.mean_efficacies(t, U, tau_f=0.0, tau_d=tau_d, n=n, u0=u0)
        ref_e, _ = nest_tsodyks2(t, U, u0 + U * (1.0 - u0), 1.0, tau_d, 0.0)
        np.testing.assert_allclose(mean, n * ref_e, rtol=1e-12, atol=1e-15)


def _np_markram(times, U, f, tau_f, tau_d, u0, x0, t0, read):
    u, x, prev, out = u0, x0, t0, []
    for t in times:
        if prev is not None:
            q = 0.0 if tau_f == 0.0 else math.exp(-(t - prev) / tau_f)
            u = U + (u - U) * q
            x = 1.0 - (1.0 - x) * math.exp(-(t - prev) / tau_d)
        u_plus = u + f * (1.0 - u)
        e = (u if read == "before" else u_plus) * x
        out.append(e)
        x, u, prev = x - e, u_plus, t
    return np.array(out)


@pytest.mark.parametrize("read", ["before", "after"])
def test_markram_reads_u0_at_the_first_spike_then_relaxes_at_once(x64, read):
    U, f, tau_d, u0, x0 = 0.3, 0.2, 80.0, 0.7, 0.9
    for t in TRAINS:
        for t0 in (None, t[0] - 3.0):
            e, _, _ = markram.event_efficacies(t, U, f=f, tau_f=0.0, tau_d=tau_d, u0=u0, x0=x0, t0=t0, read=read)
            np.testing.assert_allclose(e, _np_markram(t, U, f, 0.0, tau_d, u0, x0, t0, read), rtol=1e-12, atol=1e-15)
        e, _, _ = markram.event_efficacies(t, U, f=f, tau_f=0.0, tau_d=tau_d, u0=u0, x0=x0, read=read)
        first = u0 if read == "before" else u0 + f * (1.0 - u0)
        assert float(e[0]) == pytest.approx(first * x0, rel=1e-14)
