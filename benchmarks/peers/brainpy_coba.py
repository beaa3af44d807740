"""COBA / COBA-STP with brainpy 2.8's built-in models, for benchmarks/bench_coba.py.

Runs from the project's .venv and uses only brainpy: ``bp.dyn.LifRef`` neurons (τ dV/dt =
−(V − V_rest) + I with conductances in units of g_L: w_E 0.6, w_I 6.7, STP weight 0.6/U = 3,
drive 20 mV), Bernoulli connectivity ``bp.conn.FixedProb(0.02)``, delay 0.1 ms.

* COBA-STP: ``FullProjAlignPreSDMg`` with ``bp.dyn.STP`` followed by ``bp.dyn.Expon`` per
  presynaptic neuron, then a float CSR product (``bp.dnn.CSRLinear``) — brainpy's documented
  route for STP in networks. Note brainpy's STP starts u at U and hands on u⁺x⁺ (what is left
  after release), not the released u⁺x⁻, so its synapses are weaker than the standard TM model.
* COBA: ``FullProjAlignPostMg`` with event-driven ``bp.dnn.EventCSRLinear`` and ``bp.dyn.Expon``.

brainevent (brainpy's sparse kernels) uses numba on CPU when installed, else its 'jax_raw'
backend (numba is not in the project's pins). Writes spikes to --out (npz) and timings as one JSON line on stdout.
"""
import argparse
import json
import time

t_start = time.perf_counter()
ap = argparse.ArgumentParser()
ap.add_argument("--stp", action=argparse.BooleanOptionalAction, default=True)
ap.add_argument("--neurons", type=int, default=4000)
ap.add_argument("--duration", type=float, default=1000.0)
ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--out", required=True)
args = ap.parse_args()

import brainpy as bp  # noqa: E402
import jax  # noqa: E402
import brainpy.math as bm  # noqa: E402
import numpy as np  # noqa: E402

try:  # brainevent's CPU kernels need numba; without it use its pure-JAX backend
    import numba  # noqa: F401
    BACKEND = "numba"
except ImportError:
    from brainevent.config import set_backend

    set_backend("cpu", "jax_raw")
    BACKEND = "jax_raw"
t_import = time.perf_counter()
bm.set_dt(0.1)
bm.random.seed(args.seed)
N = args.neurons
NE = int(round(0.8 * N))
NI = N - NE


class STPExpon(bp.dyn.SynDyn):
    """bp.dyn.STP then bp.dyn.Expon, per presynaptic neuron (brainpy's align-pre STP chain)."""

    def __init__(self, size, U, tau_f, tau_d, tau):
        super().__init__(size=size)
        self.stp = bp.dyn.STP(size, U=U, tau_f=tau_f, tau_d=tau_d)
        self.syn = bp.dyn.Expon(size, tau=tau)

    def update(self, spike):
        ux = self.stp(spike)
        return self.syn(spike * ux)

    def return_info(self):
        return self.syn.return_info()


class EINet(bp.DynSysGroup):
    def __init__(self):
        super().__init__()
        kw = dict(V_rest=-60.0, V_th=-50.0, V_reset=-60.0, tau=20.0, tau_ref=5.0,
                  V_initializer=bp.init.Uniform(-60.0, -50.0))
        self.E = bp.dyn.LifRef(NE, **kw)
        self.I = bp.dyn.LifRef(NI, **kw)

        def conn(pre, post):
            return bp.conn.FixedProb(0.02, pre=pre, post=post, seed=int(bm.random.randint(0, 2 ** 30)))

        if args.stp:
            def e_proj(post, n_post):
                return bp.dyn.FullProjAlignPreSDMg(
                    pre=self.E, syn=STPExpon.desc(NE, U=0.2, tau_f=2.0, tau_d=150.0, tau=5.0), delay=0.1,
                    comm=bp.dnn.CSRLinear(conn(NE, n_post), 0.6 / 0.2), out=bp.dyn.COBA(E=0.0), post=post)
        else:
            def e_proj(post, n_post):
                return bp.dyn.FullProjAlignPostMg(
                    pre=self.E, delay=0.1, comm=bp.dnn.EventCSRLinear(conn(NE, n_post), 0.6),
                    syn=bp.dyn.Expon.desc(n_post, tau=5.0), out=bp.dyn.COBA.desc(E=0.0), post=post)

        def i_proj(post, n_post):
            return bp.dyn.FullProjAlignPostMg(
                pre=self.I, delay=0.1, comm=bp.dnn.EventCSRLinear(conn(NI, n_post), 6.7),
                syn=bp.dyn.Expon.desc(n_post, tau=10.0), out=bp.dyn.COBA.desc(E=-80.0), post=post)

        self.E2E, self.E2I = e_proj(self.E, NE), e_proj(self.I, NI)
        self.I2E, self.I2I = i_proj(self.E, NE), i_proj(self.I, NI)

    def update(self, inp):
        self.E2E()
        self.E2I()
        self.I2E()
        self.I2I()
        self.E(inp)
        self.I(inp)
        return self.E.spike.value, self.I.spike.value


net = EINet()
n_steps = int(round(args.duration / 0.1))
indices = np.arange(n_steps)


def body(i):
    return net.step_run(i, 20.0)


def run():  # the same body function both times, so the second call reuses the compiled loop
    return bm.for_loop(body, indices, progress_bar=False)


t_build = time.perf_counter()
out = run()  # traces and compiles, then runs
jax_out = [np.asarray(o) for o in out]
t_first = time.perf_counter()
net.reset_state()
t0 = time.perf_counter()
out = run()
spk = np.concatenate([np.asarray(o) for o in out], axis=1)
sim_s = time.perf_counter() - t0
compile_s = max(0.0, (t_first - t_build) - sim_s)
step, ids = np.nonzero(spk)
np.savez(args.out, ids=ids.astype(np.int32), times=step * 0.1)
print(json.dumps(dict(import_s=t_import - t_start, build_s=t_build - t_import, compile_s=compile_s, sim_s=sim_s,
                      brainevent_backend=BACKEND, device=str(jax.devices()[0]))))
