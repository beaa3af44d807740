"""COBA / COBA-STP in Brian2 (runtime/cython or cpp_standalone), for benchmarks/bench_coba.py.

Run with the Brian2 venv (benchmarks/peers/setup.sh). Same model as stp_brainpy.network (config.py, fused.py):
exponential-Euler membrane, exact exponential conductances, TM synapses with u resting at 0 and
efficacy u⁺x⁻ (Brian2's canonical STP form, state per synapse, event-driven), Bernoulli p per pair.
Writes spikes to --out (npz) and timings as one JSON line on stdout.
"""
import argparse
import json
import shutil
import tempfile
import time

t_start = time.perf_counter()
ap = argparse.ArgumentParser()
ap.add_argument("--target", choices=("runtime", "cpp_standalone"), default="cpp_standalone")
ap.add_argument("--stp", action=argparse.BooleanOptionalAction, default=True)
ap.add_argument("--neurons", type=int, default=4000)
ap.add_argument("--duration", type=float, default=1000.0)
ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--p", type=float, default=0.02, help="connection probability per ordered pair")
ap.add_argument("--threads", type=int, default=0, help="cpp_standalone OpenMP threads (0: none)")
ap.add_argument("--out", required=True)
args = ap.parse_args()

import numpy as np  # noqa: E402
from brian2 import (NeuronGroup, Network, SpikeMonitor, Synapses, defaultclock, device, ms, mV, nS, pA, pF,  # noqa: E402
                    prefs, seed, set_device)

t_import = time.perf_counter()
build_dir = tempfile.mkdtemp(prefix="brian2_coba_")
if args.target == "cpp_standalone":
    set_device("cpp_standalone", directory=build_dir, build_on_run=False)
    if args.threads:
        prefs.devices.cpp_standalone.openmp_threads = args.threads
else:
    prefs.codegen.target = "cython"
seed(args.seed)
defaultclock.dt = 0.1 * ms
N = args.neurons
NE = int(round(0.8 * N))
Cm, gL, El, Vt, Vr, Ie = 200 * pF, 10 * nS, -60 * mV, -50 * mV, -60 * mV, 200 * pA
Ee, Ei, taue, taui = 0 * mV, -80 * mV, 5 * ms, 10 * ms
eqs = """dv/dt = (gL*(El - v) + ge*(Ee - v) + gi*(Ei - v) + Ie)/Cm : volt (unless refractory)
dge/dt = -ge/taue : siemens
dgi/dt = -gi/taui : siemens"""
P = NeuronGroup(N, eqs, threshold="v > Vt", reset="v = Vr", refractory=5 * ms, method="exponential_euler")
P.v = "El + rand()*(Vt - El)"
if args.stp:
    Ce = Synapses(P[:NE], P, model="""du/dt = -u/tauf : 1 (event-driven)
                                      dx/dt = (1 - x)/taud : 1 (event-driven)""",
                  on_pre="""u += U*(1 - u)
                            ge_post += wstp*u*x
                            x -= u*x""", delay=0.1 * ms, namespace=dict(U=0.2, tauf=2 * ms, taud=150 * ms,
                                                                      wstp=30 * nS))
else:
    Ce = Synapses(P[:NE], P, on_pre="ge_post += 6*nS", delay=0.1 * ms)
Ci = Synapses(P[NE:], P, on_pre="gi_post += 67*nS", delay=0.1 * ms)
Ce.connect(p=args.p)
Ci.connect(p=args.p)
if args.stp:
    Ce.x = 1.0
    Ce.u = 0.0
mon = SpikeMonitor(P)
net = Network(P, Ce, Ci, mon)
t_setup = time.perf_counter()
if args.target == "cpp_standalone":
    net.run(args.duration * ms)
    device.build(directory=build_dir, compile=True, run=True, debug=False)
    sim_s = float(device._last_run_time)
    total = time.perf_counter() - t_setup
    compile_s = total - sim_s  # code generation + C++ compilation + process start
else:
    net.run(0 * ms)  # generates and compiles the code objects
    t0 = time.perf_counter()
    compile_s = t0 - t_setup
    net.run(args.duration * ms)
    sim_s = time.perf_counter() - t0
ids = np.asarray(mon.i[:], np.int32)
times = np.asarray(mon.t[:] / ms, np.float64)
np.savez(args.out, ids=ids, times=times)
shutil.rmtree(build_dir, ignore_errors=True)
print(json.dumps(dict(import_s=t_import - t_start, build_s=t_setup - t_import, compile_s=compile_s, sim_s=sim_s,
                      n_synapses=int(len(Ce) + len(Ci)) if args.target == "runtime" else None)))
