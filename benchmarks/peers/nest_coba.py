"""COBA / COBA-STP in NEST 3.10 (iaf_cond_exp + tsodyks2_synapse), for benchmarks/bench_coba.py.

Run with the NEST venv (benchmarks/peers/setup.sh). tsodyks2_synapse with u = U initially sends
w·u⁺x⁻ with the standard TM dynamics (first spike releases U). iaf_cond_exp integrates with GSL
RKF45 (adaptive), so its numbers differ slightly from the exponential-Euler models.
Writes spikes to --out (npz) and timings as one JSON line on stdout.

--heterogeneous (bench_coba.py --heterogeneous): per-synapse Gupta, Wang & Markram (2000) STP, i.e.
tsodyks2_synapse with per-synapse U, tau_fac, tau_rec on every E synapse: each class F1/F2/F3 (one third each)
is its own pairwise_bernoulli Connect with p/3, its parameters normal with the class's mean and SD, redrawn
into U in [0.02, 1] and taus in [2, 3000] ms (nest.math.redraw), as
stp_brainpy.network.instances.gupta_stp draws them. Gupta's Markram form with f = U, read before the jump,
is tsodyks2's recursion (u_{n+1} = U + (1 - U) u_n e^{-h/tau_fac}, first efficacy U), so the model is the
same. Weight w_E / mean U = 6 / 0.2433 nS.
"""
import argparse
import json
import time

t_start = time.perf_counter()
ap = argparse.ArgumentParser()
ap.add_argument("--stp", action=argparse.BooleanOptionalAction, default=True)
ap.add_argument("--heterogeneous", action="store_true", help="per-synapse Gupta (2000) STP on E synapses")
ap.add_argument("--neurons", type=int, default=4000)
ap.add_argument("--duration", type=float, default=1000.0)
ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--out", required=True)
args = ap.parse_args()
if args.heterogeneous and not args.stp:
    ap.error("--heterogeneous is COBA-STP; drop --no-stp")

import numpy as np  # noqa: E402
import nest  # noqa: E402

GUPTA = {"F1": dict(U=(0.16, 0.10), tau_d=(45.0, 21.0), tau_f=(376.0, 253.0)),
         "F2": dict(U=(0.25, 0.13), tau_d=(706.0, 405.0), tau_f=(21.0, 9.0)),
         "F3": dict(U=(0.32, 0.14), tau_d=(144.0, 80.0), tau_f=(62.0, 31.0))}


def draw(mean_sd, lo, hi):
    return nest.math.redraw(nest.random.normal(mean=mean_sd[0], std=mean_sd[1]), min=lo, max=hi)


t_import = time.perf_counter()
nest.set_verbosity("M_ERROR")
nest.ResetKernel()
nest.SetKernelStatus({"resolution": 0.1, "local_num_threads": args.threads, "rng_seed": args.seed + 1,
                      "print_time": False})
N = args.neurons
NE = int(round(0.8 * N))
params = dict(C_m=200.0, g_L=10.0, E_L=-60.0, V_th=-50.0, V_reset=-60.0, t_ref=5.0, I_e=200.0,
              tau_syn_ex=5.0, tau_syn_in=10.0, E_ex=0.0, E_in=-80.0)
pop = nest.Create("iaf_cond_exp", N, params=params)
pop.V_m = nest.random.uniform(-60.0, -50.0)
exc, inh = pop[:NE], pop[NE:]
conn = {"rule": "pairwise_bernoulli", "p": 0.02}
if args.heterogeneous:
    mean_U = float(np.mean([c["U"][0] for c in GUPTA.values()]))
    for c in GUPTA.values():
        nest.Connect(exc, pop, {"rule": "pairwise_bernoulli", "p": conn["p"] / 3},
                     {"synapse_model": "tsodyks2_synapse", "U": draw(c["U"], 0.02, 1.0), "u": 0.0, "x": 1.0,
                      "tau_fac": draw(c["tau_f"], 2.0, 3000.0), "tau_rec": draw(c["tau_d"], 2.0, 3000.0),
                      "weight": 6.0 / mean_U, "delay": 0.1})
else:
    if args.stp:
        syn_e = {"synapse_model": "tsodyks2_synapse", "U": 0.2, "u": 0.2, "x": 1.0, "tau_rec": 150.0,
                 "tau_fac": 2.0, "weight": 30.0, "delay": 0.1}
    else:
        syn_e = {"synapse_model": "static_synapse", "weight": 6.0, "delay": 0.1}
    nest.Connect(exc, pop, conn, syn_e)
nest.Connect(inh, pop, conn, {"synapse_model": "static_synapse", "weight": -67.0, "delay": 0.1})
rec = nest.Create("spike_recorder")
nest.Connect(pop, rec)
nest.Prepare()
t_build = time.perf_counter()
nest.Run(args.duration)
sim_s = time.perf_counter() - t_build
nest.Cleanup()
ev = rec.get("events")
ids = np.asarray(ev["senders"], np.int64) - pop[0].global_id
np.savez(args.out, ids=ids.astype(np.int32), times=np.asarray(ev["times"], float))
print(json.dumps(dict(import_s=t_import - t_start, build_s=t_build - t_import, compile_s=0.0, sim_s=sim_s,
                      n_synapses=int(nest.GetKernelStatus("num_connections")))))
