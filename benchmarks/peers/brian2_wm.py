"""The working-memory model (Mongillo, Barak & Tsodyks 2008) written in Brian2: the peer of bench_wm.py.

    benchmarks/.venv-brian2/bin/python benchmarks/peers/brian2_wm.py --target cpp_standalone --duration 1000
    benchmarks/.venv-brian2/bin/python benchmarks/peers/brian2_wm.py --scale 0.2 --target runtime

Same equations and parameters as :mod:`stp_brainpy.replays.working_memory` (current-based LIF with voltage
jumps J·u·x, white-noise input ``sigma*xi*tau**-0.5``, Mongillo STP on E→E as per-synapse event-driven
variables, delays uniform in [0.1, 1] ms per synapse), written the way Brian2 users write it; connections are
Bernoulli with probability c' (Brian2's ``connect(p=...)``), the replay's default rule too
(``WMParams.conn``). Prints one JSON line: build (network construction + code generation and
compilation), sim (the run), synapses, spikes.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--duration", type=float, default=1000.0, help="ms")
    ap.add_argument("--dt", type=float, default=0.05)
    ap.add_argument("--target", choices=("runtime", "cpp_standalone"), default="cpp_standalone")
    ap.add_argument("--mu-E", type=float, default=22.8)
    ap.add_argument("--mu-I", type=float, default=21.0)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    import brian2 as b2
    from brian2 import ms, mV

    build_dir = tempfile.mkdtemp(prefix="brian2_wm_")
    if args.target == "cpp_standalone":
        b2.set_device("cpp_standalone", directory=build_dir, build_on_run=False)
    b2.seed(args.seed)
    b2.defaultclock.dt = args.dt * ms
    S = args.scale
    N_E, N_I, p, f = int(round(8000 * S)), int(round(2000 * S)), 5, 0.1
    c = min(1.0, 0.2 / S)
    k = 0.2 / (S * c)
    n_sel = int(round(f * N_E))
    eqs = """dv/dt = (mu*(1 + 0.15*cue(t)*cued + 0.05*readout(t)*is_E) - v)/tau + sigma*xi*tau**-0.5 : volt (unless refractory)
             mu : volt (constant)
             tau : second (constant)
             vr : volt (constant)
             cued : 1 (constant)
             is_E : 1 (constant)
             blk : integer (constant)"""
    T = args.duration
    cue = b2.TimedArray([0.0, 1.0, 0.0, 0.0], dt=(T / 4) * ms)       # cue in the second quarter (timing only)
    readout = b2.TimedArray([0.0, 0.0, 0.0, 1.0], dt=(T / 4) * ms)
    G = b2.NeuronGroup(N_E + N_I, eqs, threshold="v > 20*mV", reset="v = vr", refractory=2 * ms, method="euler",
                       namespace=dict(cue=cue, readout=readout, sigma=1.0 * mV))
    E, I = G[:N_E], G[N_E:]
    E.mu, I.mu = args.mu_E * mV, args.mu_I * mV
    E.tau, I.tau = 15 * ms, 10 * ms
    E.vr, I.vr = 16 * mV, 13 * mV
    E.is_E = 1
    E[:n_sel].cued = 1
    G.blk = "clip(i // n_sel, 0, p)"
    I.blk = p + 1
    G.v = "10*mV + 10*mV*rand()"
    ns = dict(U=0.2, tauF=1500 * ms, tauD=200 * ms, J_p=0.45 * k * mV, J_b=0.10 * k * mV, gamma0=0.1, p=p, n_sel=n_sel)
    EE = b2.Synapses(E, E, """w : volt
                               du/dt = (U - u)/tauF : 1 (event-driven)
                               dx/dt = (1 - x)/tauD : 1 (event-driven)""",
                     on_pre="""u += U*(1 - u)
                               v_post += w*u*x
                               x -= u*x""", namespace=ns)
    EE.connect(p=c)
    EE.w = "J_b + (J_p - J_b)*(int(blk_pre == blk_post and blk_pre < p) + int(blk_pre == p)*int(rand() < gamma0))"
    EE.u, EE.x = 0.2, 1.0
    syns = [EE]
    for pre, post, J in ((E, I, 0.135), (I, E, -0.25), (I, I, -0.20)):
        s = b2.Synapses(pre, post, "w : volt (constant)", on_pre="v_post += w")
        s.connect(p=c)
        s.w = J * k * mV
        syns.append(s)
    for s in syns:
        s.delay = "(0.1 + 0.9*rand())*ms"
    mon = b2.SpikeMonitor(G)
    net = b2.Network(G, *syns, mon)
    t_built = time.perf_counter()
    net.run(T * ms)
    if args.target == "cpp_standalone":
        b2.device.build(directory=build_dir, compile=True, run=True)
        sim = float(b2.device._last_run_time)
    else:
        sim = time.perf_counter() - t_built
    total = time.perf_counter() - t0
    n_syn = int(sum(len(s) for s in syns))
    print(json.dumps({"target": args.target, "neurons": N_E + N_I, "synapses": n_syn, "duration_ms": T,
                      "dt_ms": args.dt, "sim_s": round(sim, 2), "process_s": round(total, 2),
                      "s_per_simulated_s": round(sim / (T / 1000.0), 2), "spikes": int(mon.num_spikes),
                      "rate_hz": round(mon.num_spikes / (N_E + N_I) / (T / 1000.0), 3)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
