"""EventSTPProjection against a dense NumPy reference written here, step by step.

Reference (independent transcription of GUIDE §2.1): at every step each synapse's TM state
decays exactly (u ← u e^{-dt/τf}, x ← 1 - (1 - x) e^{-dt/τd}); a presynaptic spike then sets
u⁺ = u + U(1 - u), releases e = u⁺x, x ← x - e; the released w·e reaches the post conductance
D = round(delay/dt) steps after the spike, g ← g e^{-dt/τ} + Σ w e.
"""
import brainpy as bp
import brainpy.math as bm
import numpy as np
import pytest

from stp_brainpy.core.stp import regular_train_efficacies
from stp_brainpy.network import COBANeuron, EventSTPProjection
from stp_brainpy.network.connectivity import bernoulli


class Raster(bp.DynamicalSystem):
    """Emits a given (T, n) spike raster, one row per step."""

    def __init__(self, raster):
        super().__init__()
        self.num = raster.shape[1]
        self.raster = bm.asarray(raster)
        self.spike = bm.Variable(bm.zeros(self.num, dtype=bool))
        self.i = bm.Variable(bm.zeros((), dtype=int))

    def update(self):
        self.spike.value = self.raster[self.i.value]
        self.i.value = self.i.value + 1


def dense_reference(raster, W, dt, tau, D, U=None, tau_f=None, tau_d=None):
    """g per step; W, U, tau_f, tau_d are dense (n_pre, n_post) (0 where no synapse)."""
    T, n_pre = raster.shape
    mask = W != 0
    u = np.zeros(W.shape)
    x = np.ones(W.shape)
    released = np.zeros((T,) + W.shape)
    for m in range(T):
        if U is not None:
            u = u * np.exp(-dt / np.where(mask, tau_f, 1.0))
            x = 1.0 - (1.0 - x) * np.exp(-dt / np.where(mask, tau_d, 1.0))
        s = raster[m][:, None] & mask
        if U is None:
            released[m] = np.where(s, W, 0.0)
        else:
            u = np.where(s, u + U * (1.0 - u), u)
            e = np.where(s, u * x, 0.0)
            x = x - e
            released[m] = W * e
    g = np.zeros(W.shape[1])
    out = np.zeros((T, W.shape[1]))
    for n in range(T):
        g = g * np.exp(-dt / tau) + (released[n - D].sum(0) if n - D >= 0 else 0.0)
        out[n] = g
    return out


def run_projection(raster, conn, T, **kw):
    pre = Raster(raster)
    post = COBANeuron(conn.n_post)
    proj = EventSTPProjection(pre, post, conn, **kw)
    net = bp.DynSysGroup(pre=pre, post=post, proj=proj)
    runner = bp.DSRunner(net, monitors={"g": proj.g, "eff": proj.efficacy}, progress_bar=False)
    runner.run(T * bm.get_dt())
    return runner.mon["g"], runner.mon["eff"]


CASES = [
    dict(stp=False, delay=0.1, hetero=False, backend="auto"),
    dict(stp=True, delay=0.1, hetero=False, backend="auto"),
    dict(stp=True, delay=0.3, hetero=False, backend="xla"),
    dict(stp=False, delay=0.5, hetero=True, backend="auto"),
    dict(stp=True, delay=0.2, hetero=True, backend="auto"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()))
def test_event_projection_equals_dense_reference(x64, case):
    rng = np.random.default_rng(7)
    n_pre, n_post, T, dt, tau = 30, 20, 80, 0.1, 3.0
    conn = bernoulli(n_pre, n_post, 0.3, seed=11)
    raster = rng.random((T, n_pre)) < 0.15
    D = int(round(case["delay"] / dt))
    if case["hetero"]:
        w = rng.uniform(0.5, 2.0, conn.nnz)
        weight = w
    else:
        weight = 2.5
        w = np.full(conn.nnz, weight)
    W = conn.to_dense(w)
    kw = dict(weight=weight, tau_s=tau, E=0.0, delay=case["delay"], backend=case["backend"])
    if case["stp"]:
        if case["hetero"]:
            U = rng.uniform(0.1, 0.9, conn.nnz)
            tf = rng.uniform(1.0, 200.0, conn.nnz)
            td = rng.uniform(1.0, 300.0, conn.nnz)
        else:
            U, tf, td = 0.3, 20.0, 4.0  # fast recovery: efficacies vary a lot within 8 ms
        kw.update(U=U, tau_f=tf, tau_d=td)
        dense = [conn.to_dense(np.broadcast_to(a, (conn.nnz,))) for a in (U, tf, td)]
        ref = dense_reference(raster, W, dt, tau, D, *dense)
    else:
        ref = dense_reference(raster, W, dt, tau, D)
    g, _ = run_projection(raster, conn, T, **kw)
    # a spike emitted at step m reaches g at step m + D (the projection reads it at m + 1)
    np.testing.assert_allclose(g, ref, rtol=1e-12, atol=1e-12)
    assert g[:D].max() == 0.0 and ref[D:].max() > 0


def test_efficacies_of_regular_trains_equal_closed_form(x64):
    U, tf, td, dt = 0.2, 100.0, 150.0, 0.1
    isis = np.array([7, 20, 53])  # steps, one source each
    T = 700
    raster = np.zeros((T, 3), bool)
    for j, k in enumerate(isis):
        raster[::k, j] = True
    conn = bernoulli(3, 4, 1.0, seed=0)
    _, eff = run_projection(raster, conn, T + 1, weight=1.0, tau_s=5.0, E=None, U=U, tau_f=tf, tau_d=td)
    for j, k in enumerate(isis):
        spikes = np.nonzero(raster[:, j])[0]
        got = eff[spikes + 1, j]  # released one step after emission (update order)
        want = np.asarray(regular_train_efficacies(len(spikes), U, tau_f=tf, tau_d=td, isi=k * dt)[0])
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_projection_into_brainpy_neuron_and_float32():
    """CUBA output into a brainpy LifRef, default float32."""
    rng = np.random.default_rng(0)
    conn = bernoulli(10, 5, 0.5, seed=1)
    pre = Raster(rng.random((50, 10)) < 0.3)
    post = bp.dyn.LifRef(5, V_rest=0.0, V_th=1e9, tau=10.0)
    proj = EventSTPProjection(pre, post, conn, weight=1.0, tau_s=2.0, E=None, U=0.5, tau_f=10.0, tau_d=50.0)
    net = bp.DynSysGroup(pre=pre, post=post, proj=proj)
    runner = bp.DSRunner(net, monitors={"V": post.V, "g": proj.g}, progress_bar=False)
    runner.run(5.0)
    assert runner.mon["g"].dtype == np.float32
    assert runner.mon["V"].max() > 0  # the current reached the neuron


def test_projection_argument_errors():
    conn = bernoulli(4, 3, 0.5, seed=0)
    pre, post = COBANeuron(4), COBANeuron(3)
    with pytest.raises(ValueError, match="U must lie in"):
        EventSTPProjection(pre, post, conn, U=1.5, tau_f=1.0, tau_d=1.0)
    with pytest.raises(ValueError, match="tau_f and tau_d"):
        EventSTPProjection(pre, post, conn, U=0.5)
    with pytest.raises(ValueError, match="conn is 4x3"):
        EventSTPProjection(post, pre, conn)
    with pytest.raises(ValueError, match="delay"):
        EventSTPProjection(pre, post, conn, delay=-1.0)
