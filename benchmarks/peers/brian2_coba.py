"""COBA / COBA-STP in Brian2 (runtime/cython or cpp_standalone), for benchmarks/bench_coba.py.

Run with the Brian2 venv (benchmarks/peers/setup.sh). Same model as stp_brainpy.network (config.py, fused.py):
exponential-Euler membrane, exact exponential conductances, TM synapses with u resting at 0 and
efficacy u⁺x⁻ (Brian2's canonical STP form, state per synapse, event-driven), Bernoulli p per pair.
Writes spikes to --out (npz) and timings as one JSON line on stdout.

--heterogeneous (bench_coba.py --heterogeneous): per-synapse Gupta, Wang & Markram (2000) STP, the same TM
recursion with per-synapse variables U, tauf, taud: each E synapse draws a class F1/F2/F3 (one third each), then
normal parameters with the class's mean and SD, clipped into U in [0.02, 1] and taus in [2, 3000] ms (clipped,
not redrawn: code generation has no redraw loop; the timing does not depend on it). Gupta's Markram form with
f = U, read before the jump, is this recursion. Weight w_E / mean U.
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
ap.add_argument("--heterogeneous", action="store_true", help="per-synapse Gupta (2000) STP on E synapses")
ap.add_argument("--neurons", type=int, default=4000)
ap.add_argument("--duration", type=float, default=1000.0)
ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--p", type=float, default=0.02, help="connection probability per ordered pair")
ap.add_argument("--threads", type=int, default=0, help="cpp_standalone OpenMP threads (0: none)")
ap.add_argument("--directory", default=None,
                help="cpp_standalone project folder, kept (default: a fresh one, removed). A second run into the "
                     "same folder is a warm build: Brian2 rewrites only files whose code changed and make "
                     "recompiles only those (none for the same network)")
ap.add_argument("--out", required=True)
args = ap.parse_args()
if args.heterogeneous and not args.stp:
    ap.error("--heterogeneous is COBA-STP; drop --no-stp")

import numpy as np  # noqa: E402
from brian2 import (NeuronGroup, Network, SpikeMonitor, Synapses, defaultclock, device, ms, mV, nS, pA, pF,  # noqa: E402
                    prefs, seed, set_device)

t_import = time.perf_counter()
build_dir = args.directory or tempfile.mkdtemp(prefix="brian2_coba_")
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
GUPTA = {"F1": dict(U=(0.16, 0.10), tau_d=(45.0, 21.0), tau_f=(376.0, 253.0)),
         "F2": dict(U=(0.25, 0.13), tau_d=(706.0, 405.0), tau_f=(21.0, 9.0)),
         "F3": dict(U=(0.32, 0.14), tau_d=(144.0, 80.0), tau_f=(62.0, 31.0))}
# class indicators as polynomials of cls in {0, 1, 2} (sympy refuses relationals inside products)
c0, c1, c2 = "((1 - cls)*(2 - cls)/2)", "(cls*(2 - cls))", "(cls*(cls - 1)/2)"


def mix(name, lo, hi):
    (m0, s0), (m1, s1), (m2, s2) = (GUPTA[k][name] for k in ("F1", "F2", "F3"))
    # one randn() per expression (Brian2 refuses more): mean and SD of the synapse's class, then one draw
    return (f"clip(({c0}*{m0} + {c1}*{m1} + {c2}*{m2}) + ({c0}*{s0} + {c1}*{s1} + {c2}*{s2})*randn(), "
            f"{lo}, {hi})")


if args.heterogeneous:
    mean_U = float(np.mean([c["U"][0] for c in GUPTA.values()]))
    Ce = Synapses(P[:NE], P, model="""U : 1
                                      tauf : second
                                      taud : second
                                      cls : integer
                                      du/dt = -u/tauf : 1 (event-driven)
                                      dx/dt = (1 - x)/taud : 1 (event-driven)""",
                  on_pre="""u += U*(1 - u)
                            ge_post += wstp*u*x
                            x -= u*x""", delay=0.1 * ms, namespace=dict(wstp=6 / mean_U * nS))
elif args.stp:
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
if args.heterogeneous:
    Ce.cls = "int(3*rand())"
    Ce.U = mix("U", 0.02, 1)
    Ce.taud = mix("tau_d", 2, 3000) + "*ms"
    Ce.tauf = mix("tau_f", 2, 3000) + "*ms"
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
    make_s = device.timers["compile"]["make"]  # the C++ compilation alone (near 0 in a warm folder)
else:
    net.run(0 * ms)  # generates and compiles the code objects
    t0 = time.perf_counter()
    compile_s = t0 - t_setup
    net.run(args.duration * ms)
    sim_s = time.perf_counter() - t0
ids = np.asarray(mon.i[:], np.int32)
times = np.asarray(mon.t[:] / ms, np.float64)
np.savez(args.out, ids=ids, times=times)
if args.directory is None:
    shutil.rmtree(build_dir, ignore_errors=True)
print(json.dumps(dict(import_s=t_import - t_start, build_s=t_setup - t_import, compile_s=compile_s, sim_s=sim_s,
                      make_s=make_s if args.target == "cpp_standalone" else None,
                      n_synapses=int(len(Ce) + len(Ci)) if args.target == "runtime" else None)))
