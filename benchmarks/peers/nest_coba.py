"""COBA / COBA-STP in NEST 3.10 (iaf_cond_exp + tsodyks2_synapse), for benchmarks/bench_coba.py.

Run with the NEST venv (benchmarks/peers/setup.sh). tsodyks2_synapse with u = U initially sends
w·u⁺x⁻ with the standard TM dynamics (first spike releases U). iaf_cond_exp integrates with GSL
RKF45 (adaptive), so its numbers differ slightly from the exponential-Euler models.
Writes spikes to --out (npz) and timings as one JSON line on stdout.
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
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--out", required=True)
args = ap.parse_args()

import numpy as np  # noqa: E402
import nest  # noqa: E402

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
if args.stp:
    syn_e = {"synapse_model": "tsodyks2_synapse", "U": 0.2, "u": 0.2, "x": 1.0, "tau_rec": 150.0, "tau_fac": 2.0,
             "weight": 30.0, "delay": 0.1}
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
