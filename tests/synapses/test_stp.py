"""stp_brainpy.synapses.STP in bp.Network runs, against independent NumPy transcriptions of GUIDE §2.1."""
from __future__ import annotations

import brainpy as bp
import brainpy.math as bm
import numpy as np
import pytest

from stp_brainpy.core.delays import delay_steps
from stp_brainpy.neurons import LIF
from stp_brainpy.synapses import STP
from tm_reference import tm_efficacies as np_event_efficacies

HOMEWORK = {  # name: (U, tau_d, tau_f)
    "STD": (0.2, 150.0, 2.0), "STF": (0.1, 10.0, 100.0), "U1": (0.05, 150.0, 2.0), "U2": (0.8, 150.0, 2.0),
    "tau_d1": (0.2, 1.0, 2.0), "tau_d2": (0.2, 600.0, 2.0), "tau_f1": (0.2, 150.0, 0.5),
    "tau_f2": (0.2, 150.0, 100.0),
}


def np_stepped_current(spikes, lag, U, tau_f, tau_d, tau, A, dt):
    """Per-presynaptic-neuron current I of a time-stepped run (exact decay each step, jumps at the spike)."""
    T, N = spikes.shape
    u, x, I = np.zeros(N), np.ones(N), np.zeros(N)
    out = np.zeros((T, N))
    for t in range(T):
        s = spikes[t - lag] if t >= lag else np.zeros(N, bool)
        u = u * np.exp(-dt / tau_f)
        x = 1.0 - (1.0 - x) * np.exp(-dt / tau_d)
        u = np.where(s, u + U * (1.0 - u), u)
        e = np.where(s, u * x, 0.0)
        x = x - e
        I = I * np.exp(-dt / tau) + A * e
        out[t] = I
    return out


def run(net, duration, monitors, inputs):
    runner = bp.DSRunner(net, monitors=monitors, inputs=inputs, progress_bar=False)
    runner.run(duration)
    return {k: np.asarray(v) for k, v in runner.mon.items()}


def _homework_batch_efficacies(dt):
    """All eight settings in one run: one pre LIF, a batched post, parameters of shape (8, 1)."""
    bm.set_dt(dt)
    U, tau_d, tau_f = (np.array([[v[i]] for v in HOMEWORK.values()]) for i in range(3))
    pre, post = LIF(1), LIF(1, mode=bm.BatchingMode(len(HOMEWORK)))
    syn = STP(pre, post, bp.connect.All2All(), U=U, tau_d=tau_d, tau_f=tau_f)
    mon = run(bp.Network(pre=pre, syn=syn, post=post), 150.0, ["pre.spike", "syn.efficacy", "syn.u"],
              [("pre.input", 28.0)])
    return mon, (U[:, 0], tau_d[:, 0], tau_f[:, 0])


@pytest.mark.parametrize("dt", [0.01, 0.05, 0.1])
def test_homework_efficacies_float64(x64, dt):
    mon, (U, tau_d, tau_f) = _homework_batch_efficacies(dt)
    steps = np.flatnonzero(mon["pre.spike"][:, 0])
    assert len(steps) == 10
    times = steps * dt
    for k in range(len(U)):
        eff = mon["syn.efficacy"][:, k, 0]
        # the projection updates before the neurons: it sees a spike one step later
        np.testing.assert_array_equal(np.flatnonzero(eff), steps + 1)
        np.testing.assert_allclose(eff[steps + 1], np_event_efficacies(times, U[k], tau_f[k], tau_d[k]),
                                   rtol=1e-12, atol=0)


@pytest.mark.parametrize("dt", [0.01])
def test_homework_efficacies_float32(dt):
    mon, (U, tau_d, tau_f) = _homework_batch_efficacies(dt)
    assert mon["syn.efficacy"].dtype == np.float32
    steps = np.flatnonzero(mon["pre.spike"][:, 0])
    for k in range(len(U)):
        ref = np_event_efficacies(steps * dt, U[k], tau_f[k], tau_d[k])
        np.testing.assert_allclose(mon["syn.efficacy"][steps + 1, k, 0], ref, rtol=1e-5, atol=0)


def _connector(kind, n_pre, n_post):
    """A fresh connector and the dense matrix an identical fresh one draws (first require call)."""
    make = {
        "all2all": lambda: bp.connect.All2All(),
        "one2one": lambda: bp.connect.One2One(),
        "fixedprob": lambda: bp.connect.FixedProb(0.5, seed=7),
    }
    if kind in make:
        i, j = make[kind]()(n_pre, n_post).require("pre_ids", "post_ids")
        conn = make[kind]()
    elif kind == "matrix":
        conn = np.random.default_rng(3).random((n_pre, n_post)) < 0.5
        i, j = np.nonzero(conn)
    else:  # index pairs, one pre twice onto the same post (summed)
        i, j = np.array([0, 0, 1, 3, 3, 2]), np.array([1, 1, 0, 2, 3, 1])
        conn = (i, j)
    W = np.zeros((n_pre, n_post))
    np.add.at(W, (np.asarray(i), np.asarray(j)), 1.0)
    return conn, W


CASES = [("all2all", 0.0), ("all2all", 1.0), ("one2one", 0.0), ("one2one", 0.7), ("fixedprob", 0.0),
         ("fixedprob", 1.3), ("matrix", 0.5), ("pairs", 0.0)]


def test_post_current_is_dense_sum(x64):
    """N pre x M post in one bp.Network, one projection per (connector, delay) case, each onto its own post group."""
    n, dt = 4, 0.1
    params = dict(U=0.3, tau_f=50.0, tau_d=80.0, tau=5.0, A=2.0)
    pre = LIF(n)
    nodes, dense = {"pre": pre}, {}
    for c, (kind, delay) in enumerate(CASES):
        conn, W = _connector(kind, n, n)
        assert W.sum() > 0
        post = LIF(n)
        nodes[f"post{c}"], nodes[f"syn{c}"] = post, STP(pre, post, conn, delay=delay, **params)
        dense[c] = W
    drive = np.array([24.0, 28.0, 35.0, 50.0])  # different rates, so pre neurons spike at different steps
    mon = run(bp.Network(**nodes), 80.0, ["pre.spike"] + [f"post{c}.input" for c in dense], [("pre.input", drive)])
    assert mon["pre.spike"].sum(0).min() >= 3
    for c, (kind, delay) in enumerate(CASES):
        lag = delay_steps(delay, dt)  # the package's one rule: max(1, round(delay/dt)) steps after emission
        I_pre = np_stepped_current(mon["pre.spike"], lag, dt=dt, **params)
        np.testing.assert_allclose(mon[f"post{c}.input"], I_pre @ dense[c], rtol=1e-10, atol=1e-12,
                                   err_msg=f"{kind}, delay {delay}")


def test_state_is_per_connection(x64):
    pre, post = LIF(2), LIF(3)
    syn = STP(pre, post, bp.connect.All2All(), U=0.5)
    assert syn.num == 6 and syn.u.shape == syn.x.shape == syn.I.shape == (6,)
    # per-connection parameters broadcast over the synapses
    U = np.linspace(0.1, 0.6, 6)
    syn = STP(pre, post, bp.connect.All2All(), U=U)
    mon = run(bp.Network(pre=pre, syn=syn, post=post), 20.0, ["syn.efficacy", "pre.spike"], [("pre.input", 28.0)])
    first = mon["syn.efficacy"][np.flatnonzero(mon["pre.spike"][:, 0])[0] + 1]
    np.testing.assert_allclose(first, U, rtol=1e-12)


def test_batched_run_equals_individual_runs(x64):
    """One synapse with a (3, 1) parameter batch equals three unbatched synapses, one per parameter set."""
    Us = np.array([0.1, 0.4, 0.9])
    tau_fs = np.array([20.0, 300.0, 5.0])
    drive = np.array([28.0, 40.0])
    pre, post = LIF(2), LIF(3, mode=bm.BatchingMode(3))
    nodes = dict(pre=pre, post=post, syn=STP(pre, post, bp.connect.FixedProb(0.6, seed=2), U=Us[:, None],
                                             tau_f=tau_fs[:, None], delay=0.5))
    for b in range(3):
        nodes[f"post{b}"] = LIF(3)
        nodes[f"syn{b}"] = STP(pre, nodes[f"post{b}"], bp.connect.FixedProb(0.6, seed=2), U=Us[b], tau_f=tau_fs[b],
                               delay=0.5)
    keys = ["syn.I", "post.input"] + [f"{v}{b}.{w}" for b in range(3) for v, w in (("syn", "I"), ("post", "input"))]
    mon = run(bp.Network(**nodes), 60.0, keys, [("pre.input", drive)])
    assert mon["syn.I"].shape[1:] == (3, nodes["syn0"].num)
    for b in range(3):
        assert mon[f"syn{b}.I"].max() > 0
        np.testing.assert_allclose(mon["syn.I"][:, b], mon[f"syn{b}.I"], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(mon["post.input"][:, b], mon[f"post{b}.input"], rtol=1e-12, atol=1e-15)


def test_batching_mode_network(x64):
    B = 2
    mode = bm.BatchingMode(B)
    pre, post = LIF(2, mode=mode), LIF(2, mode=mode)
    syn = STP(pre, post, bp.connect.One2One(), U=np.array([[0.2], [0.7]]), mode=mode)
    assert syn.u.shape == (B, 2)
    mon = run(bp.Network(pre=pre, syn=syn, post=post, mode=mode), 30.0, ["syn.efficacy", "pre.spike"],
              [("pre.input", 28.0)])
    eff = mon["syn.efficacy"]  # batching mode monitors are (batch, time, ...)
    first = np.flatnonzero(mon["pre.spike"][0, :, 0])[0] + 1
    np.testing.assert_allclose(eff[:, first, 0], [0.2, 0.7], rtol=1e-12)


@pytest.mark.parametrize("kwargs,name", [
    (dict(U=0.0), "U"), (dict(U=1.5), "U"), (dict(U=np.array([0.2, -0.1])), "U"), (dict(tau_f=-1.0), "tau_f"),
    (dict(tau_d=-5.0), "tau_d"), (dict(tau=0.0), "tau must lie"), (dict(A=np.nan), "A must be finite"),
    (dict(A=np.array([1.0, np.inf])), "A must be finite"), (dict(delay=np.nan), "delay"), (dict(delay=np.inf), "delay"),
    (dict(u0=1.2), "u0"), (dict(x0=-0.5), "x0"), (dict(method="euler", tau=0.05), "dt must be smaller than tau"), (dict(method="rk4"), "method"),
    (dict(delay=-1.0), "delay"), (dict(U=np.full(3, 0.2)), "shape"), (dict(U=np.full((2, 1), 0.2)), "post.input"),
    (dict(U=np.ones((2, 3)) * 0.2, tau_f=np.ones((3, 2))), "shape"),
])
def test_bad_input_raises(kwargs, name):
    pre, post = LIF(2), LIF(2)
    with pytest.raises(ValueError, match=name):
        STP(pre, post, bp.connect.All2All(), **kwargs)


@pytest.mark.parametrize("kwargs,name", [
    (dict(U="0.2"), "U"), (dict(tau_f=None), "tau_f"), (dict(tau_d=1j), "tau_d"), (dict(tau="8"), "tau"),
    (dict(A="1"), "A"), (dict(delay="1"), "delay"),
])
def test_non_numbers_raise_type_error(kwargs, name):
    pre, post = LIF(2), LIF(2)
    with pytest.raises(TypeError, match=f"^{name} must be"):
        STP(pre, post, bp.connect.All2All(), **kwargs)


def test_limits_and_initial_state(x64):
    """tau_f = 0 (no facilitation) and tau_d = inf (no recovery) are valid; u0/x0 set the start."""
    pre, post = LIF(1), LIF(1)
    syn = STP(pre, post, bp.connect.All2All(), U=0.3, tau_f=0.0, tau_d=np.inf, u0=0.5, x0=0.8)
    assert float(syn.u[0]) == 0.5 and float(syn.x[0]) == 0.8
    mon = run(bp.Network(pre=pre, syn=syn, post=post), 60.0, ["syn.efficacy", "pre.spike"], [("pre.input", 28.0)])
    eff = mon["syn.efficacy"][:, 0]
    e = eff[eff > 0]
    x, want = 0.8, []
    for _ in e:
        want.append(0.3 * x)
        x -= 0.3 * x
    np.testing.assert_allclose(e, want, rtol=1e-12)


def test_bad_dt_and_connectivity_raise():
    pre, post = LIF(2), LIF(3)
    with pytest.raises(ValueError, match="conn matrix"):
        STP(pre, post, np.ones((3, 2), bool))
    with pytest.raises(ValueError, match="post index"):
        STP(pre, post, ([0, 1], [0, 5]))
    with pytest.raises(ValueError, match="input"):
        STP(pre, object(), bp.connect.All2All())
    bm.set_dt(-0.1)
    with pytest.raises(ValueError, match=r"dt must lie in \(0, inf\)"):
        STP(pre, post, bp.connect.All2All())


def test_groups_with_geometry(x64):
    """keep_size=True groups: spikes are flattened, the current is delivered in the post geometry."""
    pre, post = LIF((2, 3), keep_size=True), LIF((2, 2), keep_size=True)
    syn = STP(pre, post, bp.connect.All2All(), U=0.4, delay=0.3)
    mon = run(bp.Network(pre=pre, syn=syn, post=post), 40.0, ["pre.spike", "post.input"], [("pre.input", 28.0)])
    assert mon["post.input"].shape == (400, 2, 2)
    I_pre = np_stepped_current(mon["pre.spike"].reshape(400, 6), 3, 0.4, 1500.0, 200.0, 8.0, 1.0, 0.1)
    np.testing.assert_allclose(mon["post.input"].reshape(400, 4), I_pre @ np.ones((6, 4)), rtol=1e-10, atol=1e-12)
