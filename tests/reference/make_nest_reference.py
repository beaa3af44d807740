"""Write the NEST reference data the test suite checks ``stp_brainpy.nest`` and the core against.

Run in the NEST venv made by ``bash benchmarks/peers/setup.sh nest``::

    benchmarks/.venv-nest/bin/python tests/reference/make_nest_reference.py

Writes ``tests/reference/nest_tsodyks.json`` (``tsodyks2_synapse`` and ``tsodyks_synapse``: the weight NEST
delivers for every spike, regular and Poisson trains, 24 parameter sets each) and
``tests/reference/nest_quantal.json`` (``quantal_stp_synapse``: mean and variance of the delivered weight per
spike over 4000 independent synapses, 4 parameter sets). Each spike train goes spike_generator -> parrot_neuron
-> synapse under test -> parrot_neuron; a weight_recorder attached to the synapse model records what the
synapse sends. The spike times stored are the stamps the synapse saw (the parrot's spike times, read back
from a spike_recorder), so the files are self-contained. Quantal synapses send nothing when no site
releases; those spikes count as weight 0.
"""
from __future__ import annotations

import datetime
import json
import platform
import sys
from pathlib import Path

import numpy as np
import nest

HERE = Path(__file__).resolve().parent
RES = 0.1  # ms, NEST's default resolution
N_QUANTAL = 4000
NEST_NAMES = ("U", "u", "x", "y", "n", "a", "tau_rec", "tau_fac", "tau_psc", "weight")


def _regular(isi: float, n: int, start: float) -> list[float]:
    return [round(start + k * isi, 1) for k in range(n)]


def _poisson(rng: np.random.Generator, rate_hz: float, n: int, start: float) -> list[float]:
    gaps = np.maximum(np.round(rng.exponential(1000.0 / rate_hz, n) / RES) * RES, RES)
    return [round(v, 1) for v in start + np.cumsum(gaps) - gaps[0]]


def _simulate(model: str, setups: list[tuple[dict, list[float], int]]) -> list[dict]:
    """One NEST run: every (params, train, n_synapses) gets its own generator, parrot and targets."""
    nest.ResetKernel()
    nest.verbosity = nest.VerbosityLevel.ERROR
    nest.SetKernelStatus({"resolution": RES, "rng_seed": 12345, "print_time": False})
    wr = nest.Create("weight_recorder")
    nest.CopyModel(model, model + "_rec", {"weight_recorder": wr})
    srec = nest.Create("spike_recorder")
    wired = []
    for params, train, n_syn in setups:
        gen = nest.Create("spike_generator", params={"spike_times": train})
        src = nest.Create("parrot_neuron")
        tgt = nest.Create("parrot_neuron", n_syn)
        nest.Connect(gen, src, syn_spec={"delay": RES})
        nest.Connect(src, srec)
        nest.Connect(src, tgt, "all_to_all", syn_spec={"synapse_model": model + "_rec", "delay": 1.0, **params})
        wired.append((src, tgt))
    # the parameters NEST holds before the run (defaults included), so the file says what ran
    held = [nest.GetConnections(src, tgt[:1]).get() for src, tgt in wired]
    nest.Simulate(max(max(tr) for _, tr, _ in setups) + 5.0)
    sp = srec.get("events")
    ev = wr.get("events")
    out = []
    for (params, _, n_syn), (src, tgt), status in zip(setups, wired, held):
        stamps = np.sort(sp["times"][sp["senders"] == src.global_id])
        index = {t: k for k, t in enumerate(stamps.tolist())}
        weights = np.zeros((n_syn, len(stamps)))
        first = tgt[0].global_id
        sel = np.flatnonzero(np.isin(ev["targets"], tgt.tolist()))
        for i in sel:
            weights[ev["targets"][i] - first, index[float(ev["times"][i])]] = ev["weights"][i]
        out.append(dict(params=params, status={k: status[k] for k in NEST_NAMES if k in status}, spike_times=stamps.tolist(), weights=weights))
    return out


def _deterministic_sets(rng: np.random.Generator, three_state: bool) -> list[dict]:
    sets: list[dict] = [{}, {"U": 0.2}]  # NEST defaults; U alone (u stays at its default)
    while len(sets) < 24:
        k = len(sets)
        U = float(rng.uniform(0.05, 0.95))
        p = {"U": U, "tau_rec": float(np.exp(rng.uniform(np.log(2.0), np.log(1500.0)))),
             "tau_fac": 0.0 if k % 4 == 0 else float(np.exp(rng.uniform(np.log(2.0), np.log(2000.0)))),
             "weight": float(rng.uniform(0.5, 3.0))}
        if three_state:
            p["tau_psc"] = float(np.exp(rng.uniform(np.log(0.5), np.log(30.0))))
            if k % 6 == 1:  # tau_psc close to tau_rec: NEST's propagator is least accurate here
                p["tau_psc"] = p["tau_rec"] * (1.0 + 0.05 * float(rng.uniform(-1.0, 1.0)))
            if k % 5 == 2:  # non-resting initial state (NEST decays it from t = 0 to the first spike)
                p["u"] = float(rng.uniform(0.0, 1.0))
                p["x"] = float(rng.uniform(0.3, 0.9))
                p["y"] = float(rng.uniform(0.0, 1.0 - p["x"]))
            else:
                p["u"] = 0.0
        else:
            p["u"] = U if k % 5 else float(rng.uniform(0.0, 1.0))
            if k % 7 == 3:
                p["x"] = float(rng.uniform(0.2, 1.0))
        sets.append(p)
    return sets


def deterministic(model: str, rng: np.random.Generator) -> list[dict]:
    setups = []
    for k, p in enumerate(_deterministic_sets(rng, model == "tsodyks_synapse")):
        setups.append((p, _regular([5.0, 10.0, 20.0, 50.0, 100.0][k % 5], 20, 10.0 + k), 1))
        setups.append((p, _poisson(rng, float(rng.uniform(10.0, 80.0)), 25, 3.0 + k), 1))
    cases = _simulate(model, setups)
    for c, (_, train, _) in zip(cases, setups):
        c["train"] = "regular" if np.allclose(np.diff(train), np.diff(train)[0]) else "poisson"
        c["weights"] = c["weights"][0].tolist()
    return cases


def quantal(rng: np.random.Generator) -> list[dict]:
    sets = [
        ({"U": 0.5, "u": 0.5, "n": 5, "a": 5, "tau_rec": 100.0, "weight": 1.0}, _regular(20.0, 15, 10.0)),
        ({"U": 0.2, "u": 0.2, "n": 3, "a": 3, "tau_rec": 200.0, "tau_fac": 500.0, "weight": 0.5},
         _regular(10.0, 15, 5.0)),
        ({"U": 0.7, "u": 0.4, "n": 10, "a": 6, "tau_rec": 50.0, "tau_fac": 20.0, "weight": 2.0},
         _poisson(rng, 40.0, 15, 2.0)),
        ({"U": 0.3, "tau_rec": 300.0, "tau_fac": 100.0}, _poisson(rng, 25.0, 12, 7.0)),
    ]
    cases = _simulate("quantal_stp_synapse", [(p, t, N_QUANTAL) for p, t in sets])
    for c in cases:
        w = c.pop("weights")
        # m4 (fourth central moment) gives the standard error of the variance
        c.update(trials=N_QUANTAL, mean=w.mean(0).tolist(), var=w.var(0, ddof=1).tolist(),
                 m4=((w - w.mean(0)) ** 4).mean(0).tolist())
    return cases


def _meta() -> dict:
    return {"script": "tests/reference/make_nest_reference.py", "nest": nest.__version__,
            "numpy": np.__version__, "python": platform.python_version(), "resolution_ms": RES,
            "date": datetime.date.today().isoformat(), "argv": sys.argv}


def main() -> None:
    rng = np.random.default_rng(20261201)
    det = {"meta": _meta(), "tsodyks2_synapse": deterministic("tsodyks2_synapse", rng),
           "tsodyks_synapse": deterministic("tsodyks_synapse", rng)}
    (HERE / "nest_tsodyks.json").write_text(json.dumps(det, indent=0) + "\n")
    q = {"meta": {**_meta(), "synapses_per_set": N_QUANTAL}, "quantal_stp_synapse": quantal(rng)}
    (HERE / "nest_quantal.json").write_text(json.dumps(q, indent=0) + "\n")


if __name__ == "__main__":
    main()
