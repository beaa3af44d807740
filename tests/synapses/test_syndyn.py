"""STPExpon / STPRelease as bp.dyn.SynDyn in brainpy's AlignPre projections, against NumPy (GUIDE §2.1)."""
from __future__ import annotations

import brainpy as bp
import brainpy.math as bm
import numpy as np
import pytest

from stp_brainpy.neurons import LIF
from stp_brainpy.synapses import STPExpon, STPRelease


def np_stepped(spikes, U, tau_f, tau_d, tau, A, dt):
    """Per-neuron efficacy and g of a time-stepped run: exact decay, jumps at the spike step."""
    T, N = spikes.shape
    u, x, g = np.zeros(N), np.ones(N), np.zeros(N)
    effs, gs = np.zeros((T, N)), np.zeros((T, N))
    for t in range(T):
        s = spikes[t]
        u = u * np.exp(-dt / tau_f)
        x = 1.0 - (1.0 - x) * np.exp(-dt / tau_d)
        u = np.where(s, u + U * (1.0 - u), u)
        e = np.where(s, u * x, 0.0)
        x = x - e
        g = g * np.exp(-dt / tau) + A * e
        effs[t], gs[t] = e, g
    return effs, gs


class Probe(bp.dyn.NeuDyn):
    """A post group at a clamped potential that records the summed current of its projections."""

    def __init__(self, size, V=0.0):
        super().__init__(size)
        self.V0 = V
        self.reset_state()

    def reset_state(self, *args, **kwargs):
        self.V = bm.Variable(bm.ones(self.varshape) * self.V0)
        self.received = bm.Variable(bm.zeros(self.varshape))

    def update(self, x=None):
        self.received.value = self.sum_current_inputs(self.V.value, init=bm.zeros(self.varshape))
        return self.received.value


def _run(syn_desc, comm, out, delay, n_pre, n_post, V=0.0, duration=60.0):
    class Net(bp.DynSysGroup):
        def __init__(self):
            super().__init__()
            self.pre, self.post = LIF(n_pre), Probe(n_post, V)
            self.proj = bp.dyn.FullProjAlignPreSDMg(pre=self.pre, syn=syn_desc, delay=delay, comm=comm, out=out,
                                                    post=self.post)

        def update(self, inp):
            self.proj()
            self.pre(inp)
            self.post()

    net = Net()
    syn = [v for v in net.nodes().values() if isinstance(v, bp.dyn.SynDyn)][0]
    drive = np.linspace(24.0, 45.0, n_pre)
    runner = bp.DSRunner(net, monitors={"spike": net.pre.spike, "g": syn.return_info(), "rec": net.post.received},
                         progress_bar=False)
    runner.run(inputs=np.broadcast_to(drive, (int(round(duration / bm.get_dt())), n_pre)))
    return {k: np.asarray(v) for k, v in runner.mon.items()}


def _lag(delay, n_pre=3):
    """Steps between a pre spike and the post current of brainpy's own Expon in the same projection."""
    mon = _run(bp.dyn.Expon.desc(n_pre, tau=5.0), bp.dnn.AllToAll(n_pre, 1, 1.0), bp.dyn.CUBA(), delay, n_pre, 1,
               duration=20.0)
    return int(np.flatnonzero(mon["rec"][:, 0])[0] - np.flatnonzero(mon["spike"].any(1))[0])


@pytest.mark.parametrize("delay", [None, 0.5])
def test_stpexpon_cuba_and_coba(x64, delay):
    n_pre, n_post, dt = 3, 2, 0.1
    p = dict(U=0.25, tau_f=40.0, tau_d=120.0, tau=6.0, A=1.5)
    W = np.array([[0.5, 1.0], [2.0, 0.0], [1.0, 3.0]])
    lag = _lag(delay)
    for out, V, scale in ((bp.dyn.CUBA(), 0.0, 1.0), (bp.dyn.COBA(E=0.0), -60.0, 60.0)):
        mon = _run(STPExpon.desc(n_pre, **p), bp.dnn.Linear(n_pre, n_post, W_initializer=bm.asarray(W), b_initializer=None),
                   out, delay, n_pre, n_post, V=V)
        assert mon["spike"].sum(0).min() >= 3
        effs, g = np_stepped(mon["spike"], dt=dt, **p)
        np.testing.assert_allclose(mon["g"], g, rtol=1e-10, atol=1e-13)
        expected = np.zeros_like(mon["rec"])
        expected[lag:] = scale * (g @ W)[:-lag]
        np.testing.assert_allclose(mon["rec"], expected, rtol=1e-10, atol=1e-12)


def test_stpexpon_drives_any_brainpy_neuron():
    class Net(bp.DynSysGroup):
        def __init__(self):
            super().__init__()
            self.pre = LIF(5)
            self.post = bp.dyn.LifRef(4, V_rest=-65.0, V_th=-50.0, V_reset=-65.0, tau=10.0, tau_ref=2.0)
            self.proj = bp.dyn.FullProjAlignPreSDMg(pre=self.pre, syn=STPExpon.desc(5, U=0.5, tau_f=20.0, tau_d=100.0),
                                                    delay=1.0, comm=bp.dnn.AllToAll(5, 4, 2.0), out=bp.dyn.COBA(E=0.0),
                                                    post=self.post)

        def update(self):
            self.proj()
            self.pre(30.0)
            self.post()

    net = Net()
    runner = bp.DSRunner(net, monitors={"V": net.post.V}, progress_bar=False)
    runner.run(40.0)
    assert np.asarray(runner.mon["V"]).max() > -64.0  # depolarised by the STP conductance


def test_stprelease_returns_efficacy(x64):
    dt = 0.1
    spikes = np.zeros((400, 2), bool)
    spikes[[5, 55, 105, 155, 300], 0] = True
    spikes[[10, 20, 30], 1] = True
    syn = STPRelease(2, U=np.array([0.2, 0.6]), tau_f=np.array([100.0, 5.0]), tau_d=150.0)

    def step(i, s):
        bp.share.save(t=i * dt, dt=dt, i=i)
        return syn(s)

    effs = np.asarray(bm.for_loop(step, (np.arange(400), spikes)))
    ref, _ = np_stepped(spikes, U=np.array([0.2, 0.6]), tau_f=np.array([100.0, 5.0]), tau_d=150.0, tau=1.0, A=1.0,
                        dt=dt)
    np.testing.assert_allclose(effs, ref, rtol=1e-12, atol=0)
    assert effs[5, 0] == pytest.approx(0.2) and effs[10, 1] == pytest.approx(0.6)


@pytest.mark.parametrize("kwargs,name", [(dict(U=0.0), "U"), (dict(tau_f=-1.0), "tau_f"), (dict(tau_d=0.0), "tau_d"),
                                         (dict(tau=0.0), "tau must lie"), (dict(method="rk2"), "method"),
                                         (dict(U=np.full(4, 0.2)), "shape"), (dict(A=np.nan), "A must be finite"),
                                         (dict(u0=2.0), "u0"), (dict(x0=np.nan), "x0"),
                                         (dict(method="euler", tau_d=0.1), "dt must be smaller than tau_d")])
def test_bad_input_raises(kwargs, name):
    with pytest.raises(ValueError, match=name):
        STPExpon(3, **kwargs)


@pytest.mark.parametrize("args,kwargs,exc,name", [
    ((2.5,), {}, ValueError, "size must be an integer"), ((0,), {}, ValueError, "size must be an integer >= 1"),
    (("3",), {}, TypeError, "size must be an integer"), (((2, 1.5),), {}, ValueError, "size must be an integer"),
    ((3,), dict(U="0.2"), TypeError, "U must be"), ((3,), dict(tau=None), TypeError, "tau must be"),
])
def test_bad_sizes_and_types_raise(args, kwargs, exc, name):
    with pytest.raises(exc, match=name):
        STPExpon(*args, **kwargs)
    if "tau" not in kwargs:
        with pytest.raises(exc, match=name):
            STPRelease(*args, **kwargs)


def test_release_limits_and_initial_state(x64):
    syn = STPRelease(1, U=0.25, tau_f=0.0, tau_d=np.inf, u0=0.9, x0=0.5)
    bp.share.save(t=0.0, dt=0.1)
    e = [float(syn(bm.asarray([True]))[0]) for _ in range(3)]
    np.testing.assert_allclose(e, [0.125, 0.09375, 0.0703125], rtol=1e-12)
