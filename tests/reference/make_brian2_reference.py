"""Write the Brian2 reference data for the ``markram`` form (NEST 3.10 has no synapse for it).

Run in the Brian2 venv made by ``bash benchmarks/peers/setup.sh brian2``::

    benchmarks/.venv-brian2/bin/python tests/reference/make_brian2_reference.py

Writes ``tests/reference/brian2_markram.json``: for 20 parameter sets x (read before / after the
jump) x (regular / Poisson train), the efficacy of every spike. Each synapse is Brian2's event-driven
(exact) solution of du/dt = (U - u)/tau_f, dx/dt = (1 - x)/tau_d; ``on_pre`` writes the efficacy into
its own postsynaptic variable (``g_post = u*x``, read before or after ``u += f*(1 - u)``), which a
StateMonitor reads one step later. Brian2 holds the initial state at t = 0 (``lastupdate = 0``) and
decays it to the first spike: the core's ``t0=0``. Spike times are stored in ms as Brian2 sees them.
"""
from __future__ import annotations

import datetime
import json
import platform
import sys
from pathlib import Path

import numpy as np
import brian2 as b2
from brian2 import ms

HERE = Path(__file__).resolve().parent
DT = 0.1  # ms

EQS = """
du/dt = (U - u) / tau_f : 1 (event-driven)
dx/dt = (1 - x) / tau_d : 1 (event-driven)
U : 1
f : 1
tau_f : second
tau_d : second
"""
ON_PRE = {"before": "g_post = u * x\nx -= u * x\nu += f * (1 - u)",
          "after": "u += f * (1 - u)\ng_post = u * x\nx -= u * x"}


def _sets(rng: np.random.Generator) -> list[dict]:
    sets = []
    for k in range(20):
        U = float(rng.uniform(0.05, 0.9))
        p = {"U": U, "f": U if k % 3 == 0 else float(rng.uniform(0.0, 0.6)),
             "tau_f": float(np.exp(rng.uniform(np.log(5.0), np.log(2000.0)))),
             "tau_d": float(np.exp(rng.uniform(np.log(5.0), np.log(1500.0)))), "u0": U, "x0": 1.0}
        if k == 1:
            p["f"] = 0.0
        if k % 4 == 2:  # a non-resting initial state, decayed from t = 0
            p["u0"] = float(rng.uniform(0.0, 1.0))
            p["x0"] = float(rng.uniform(0.2, 1.0))
        sets.append(p)
    return sets


def _trains(rng: np.random.Generator, k: int) -> list[np.ndarray]:
    isi = [5.0, 10.0, 20.0, 50.0, 100.0][k % 5]
    regular = 10.0 + k + isi * np.arange(20)
    gaps = np.maximum(np.round(rng.exponential(1000.0 / rng.uniform(10.0, 80.0), 25) / DT) * DT, DT)
    poisson = 3.0 + k + np.cumsum(gaps) - gaps[0]
    return [np.round(regular, 1), np.round(poisson, 1)]


def main() -> None:
    b2.prefs.codegen.target = "numpy"
    b2.defaultclock.dt = DT * ms
    rng = np.random.default_rng(20261201)
    sets = _sets(rng)
    trains = [tr for k in range(len(sets)) for tr in _trains(rng, k)]
    n_tr = len(trains)
    idx = np.concatenate([np.full(len(tr), i) for i, tr in enumerate(trains)])
    times = np.concatenate(trains)
    gen = b2.SpikeGeneratorGroup(n_tr, idx, times * ms)
    net = b2.Network(gen)
    monitors = {}
    for read in ("before", "after"):
        post = b2.NeuronGroup(n_tr, "g : 1")
        syn = b2.Synapses(gen, post, model=EQS, on_pre=ON_PRE[read])
        syn.connect(j="i")
        k_of = np.arange(n_tr) // 2
        for name in ("U", "f"):
            setattr(syn, name, np.array([sets[k][name] for k in k_of]))
        syn.tau_f = np.array([sets[k]["tau_f"] for k in k_of]) * ms
        syn.tau_d = np.array([sets[k]["tau_d"] for k in k_of]) * ms
        syn.u = np.array([sets[k]["u0"] for k in k_of])
        syn.x = np.array([sets[k]["x0"] for k in k_of])
        mon = b2.StateMonitor(post, "g", record=True)
        net.add(post, syn, mon)
        monitors[read] = mon
    net.run((times.max() + 2 * DT) * ms)
    cases = []
    for read, mon in monitors.items():
        t_mon = np.asarray(mon.t / ms)
        g = np.asarray(mon.g)
        for i, tr in enumerate(trains):
            step = np.rint(tr / DT).astype(int)
            # StateMonitor records at the start of a step; on_pre of step s shows at step s + 1
            eff = g[i, step + 1]
            cases.append({"read": read, "params": sets[i // 2], "train": ["regular", "poisson"][i % 2],
                          "spike_times": (step * (DT * ms) / ms).tolist(), "efficacies": eff.tolist(),
                          "monitor_check": bool(np.allclose(t_mon[step], step * DT))})
    meta = {"script": "tests/reference/make_brian2_reference.py", "brian2": b2.__version__,
            "numpy": np.__version__, "python": platform.python_version(), "dt_ms": DT,
            "codegen": "numpy", "date": datetime.date.today().isoformat(), "argv": sys.argv}
    (HERE / "brian2_markram.json").write_text(json.dumps({"meta": meta, "markram": cases}, indent=0) + "\n")


if __name__ == "__main__":
    main()
