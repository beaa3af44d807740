"""Bad input to the sweep API, grids, store and the ``sweep`` / ``plot`` commands: one table.

Every case is refused with the named exception and a message naming what is wrong (the
Python API), or with exit status 2 and one line ``error: ...`` on stderr (the CLI); and in
every case nothing is written.
"""
from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest

from stp_brainpy.cli import main
from stp_brainpy.sweeps import open_store, product, random_samples, sweep, zipped
from stp_brainpy.sweeps.models import (EFFICACY_DIMS, chain_summary, chain_traces, cond_lif_stp, stp_efficacy)

EFF = dict(U=[0.5], tau_f=[100.0], tau_d=[200.0], rate=[10.0])
CHAIN = dict(U=[0.2], tau_f=[100.0], tau_d=[300.0])


def eff(store=None, **change):
    """An efficacy sweep with one grid axis (or option) changed; grid axes given as lists."""
    axes = {k: change.pop(k, v) for k, v in EFF.items()}
    static = change.pop("static", {"n_spikes": 3})
    return sweep(stp_efficacy, product(**axes), static=static, store=store, **change)


def chain(store=None, static=None, **axes):
    return sweep(chain_summary, product(**{**CHAIN, **axes}), static=static, store=store)


def toy(a, b=1.0):
    return {"s": a * b}


def tsweep(store=None, **kw):
    return sweep(toy, product(a=[1.0, 2.0]), store=store, **kw)


# (id, call(store path), exception, message regex)
API = [
    # -- model parameter ranges, checked on the grid before anything runs ---------------------
    ("U>1", lambda s: eff(s, U=[0.5, 1.5]), ValueError, r"U must lie in \(0, 1\]; got 1\.5"),
    ("U=0", lambda s: eff(s, U=[0.0]), ValueError, r"U must lie in \(0, 1\]; got 0"),
    ("U<0", lambda s: eff(s, U=[-0.1]), ValueError, r"U must lie in"),
    ("U=nan", lambda s: eff(s, U=[float("nan")]), ValueError, r"'U' contain NaN"),
    ("U=inf", lambda s: eff(s, U=[math.inf]), ValueError, r"U must lie in"),
    ("tau_f<0", lambda s: eff(s, tau_f=[-1.0]), ValueError, r"tau_f must lie in \[0, inf\] ms; got -1"),
    ("tau_d<0", lambda s: eff(s, tau_d=[100.0, -5.0]), ValueError, r"tau_d must lie in .*got -5"),
    ("rate=0", lambda s: eff(s, rate=[0.0]), ValueError, r"rate must lie in \(0, inf\) Hz; got 0"),
    ("rate=inf", lambda s: eff(s, rate=[math.inf]), ValueError, r"rate must lie in \(0, inf\) Hz; got inf"),
    ("n_spikes=2.7", lambda s: eff(s, static={"n_spikes": 2.7}), ValueError, r"n_spikes must be an integer; got 2\.7"),
    ("n_spikes=0", lambda s: eff(s, static={"n_spikes": 0}), ValueError, r"n_spikes must lie in \[1, inf\)"),
    ("n_spikes=str", lambda s: eff(s, static={"n_spikes": "10"}), TypeError, r"n_spikes must be a number"),
    ("n_spikes=bool", lambda s: eff(s, static={"n_spikes": True}), TypeError, r"n_spikes must be an integer"),
    ("n_spikes swept", lambda s: sweep(stp_efficacy, product(**EFF, n_spikes=[2, 3]), store=s), ValueError,
     r"n_spikes cannot be a grid axis.*static="),
    ("train", lambda s: eff(s, static={"train": "bursty"}), ValueError, r"train must be one of \('regular', 'poisson'\)"),
    ("train=int", lambda s: eff(s, static={"train": 3}), TypeError, r"train must be one of"),
    ("algorithm", lambda s: eff(s, static={"algorithm": "magic"}), ValueError, r"algorithm must be one of"),
    ("zipped U", lambda s: sweep(stp_efficacy, zipped(U=[0.5, 1.2], tau_f=[1.0, 2.0], tau_d=[1.0, 2.0],
                                                      rate=[1.0, 2.0]), store=s), ValueError, r"U must lie in .*1\.2"),
    ("random U", lambda s: sweep(stp_efficacy, random_samples(20, U=(0.5, 1.5), tau_f=(1, 2), tau_d=(1, 2),
                                                              rate=(1, 2)), store=s), ValueError, r"U must lie in"),
    ("chain dt<0", lambda s: chain(s, {"dt": -0.1}), ValueError, r"dt must lie in \(0, inf\) ms; got -0\.1"),
    ("chain dt=0", lambda s: chain(s, {"dt": 0.0}), ValueError, r"dt must lie in"),
    ("chain dt=nan", lambda s: chain(s, {"dt": math.nan}), ValueError, r"dt must lie in .*nan"),
    ("chain duration=0", lambda s: chain(s, {"duration": 0.0}), ValueError, r"duration must lie in \(0, inf\) ms"),
    ("chain < 1 step", lambda s: chain(s, {"duration": 0.04}), ValueError, r"duration must cover at least one step"),
    ("chain method", lambda s: chain(s, {"method": "rk4"}), ValueError, r"method must be one of \('exact', 'euler'\)"),
    ("chain euler dt", lambda s: chain(s, {"method": "euler", "dt": 10.0}), ValueError,
     r"method='euler' needs dt < tau_s; got dt=10 ms with tau_s=8 ms"),
    ("chain euler swept", lambda s: chain(s, {"method": "euler", "dt": 1.0}, tau_d=[300.0, 0.5]), ValueError,
     r"tau_d must lie in|needs dt < tau_d"),
    ("chain tau_s=0", lambda s: chain(s, tau_s=[0.0]), ValueError, r"tau_s must lie in"),
    ("chain current=inf", lambda s: chain(s, current=[math.inf]), ValueError, r"current must lie in \(-inf, inf\)"),
    ("chain A=str", lambda s: chain(s, {"A": "x"}), TypeError, r"A must be a number"),
    ("traces decimate", lambda s: sweep(chain_traces, product(**CHAIN), static={"duration": 10.0, "decimate": 3},
                                        store=s), ValueError, r"decimate must divide the number of steps"),
    ("traces decimate=0", lambda s: sweep(chain_traces, product(**CHAIN), static={"decimate": 0}, store=s),
     ValueError, r"decimate must lie in \[1"),
    ("cond-lif rate_E·dt", lambda s: sweep(cond_lif_stp, product(tau_ratio=[1.0], rate_E=[20000.0]), store=s,
                                           seeds=1), ValueError, r"rate_E·dt must be <= 1.*rate_E=20000 Hz"),
    ("cond-lif rate_I<0", lambda s: sweep(cond_lif_stp, product(tau_ratio=[1.0], rate_E=[5.0], rate_I=[-1.0]),
                                          store=s, seeds=1), ValueError, r"rate_I must lie in \[0, inf\) Hz"),
    ("cond-lif dt", lambda s: sweep(cond_lif_stp, product(tau_ratio=[1.0], rate_E=[2000.0]), static={"dt": 1.0},
                                    store=s, seeds=1), ValueError, r"rate_E·dt must be <= 1"),
    ("cond-lif tau_ratio", lambda s: sweep(cond_lif_stp, product(tau_ratio=[0.0], rate_E=[5.0]), store=s, seeds=1),
     ValueError, r"tau_ratio must lie in \(0, inf\)"),
    ("cond-lif n_E", lambda s: sweep(cond_lif_stp, product(tau_ratio=[1.0], rate_E=[5.0]), static={"n_E": 2.5},
                                     store=s, seeds=1), ValueError, r"n_E must be an integer; got 2\.5"),
    ("direct U", lambda s: stp_efficacy(1.5, tau_f=100.0, tau_d=200.0, rate=10.0), ValueError, r"U must lie in"),
    ("direct tau", lambda s: chain_summary(0.2, tau_f=-1.0, tau_d=100.0), ValueError, r"tau_f must lie in"),
    ("direct str", lambda s: stp_efficacy(0.5, tau_f="a", tau_d=200.0, rate=10.0), TypeError, r"tau_f must be a number"),
    ("direct complex", lambda s: stp_efficacy(0.5, tau_f=1j, tau_d=200.0, rate=10.0), TypeError,
     r"tau_f must be a real number; got a complex"),
    ("direct positional", lambda s: stp_efficacy(0.5, 100.0, 200.0, 10.0), TypeError, r"positional argument"),
    ("direct cond-lif", lambda s: cond_lif_stp(1.0, 20000.0), ValueError, r"rate_E·dt must be <= 1"),
    # -- the sweep call itself --------------------------------------------------------------------
    ("grid=list", lambda s: sweep(toy, [1.0, 2.0], store=s), TypeError, r"grid must come from product\(\)"),
    ("run not callable", lambda s: sweep(3, product(a=[1.0]), store=s), TypeError, r"run must be a function"),
    ("unknown name", lambda s: sweep(toy, product(a=[1.0], c=[1.0]), store=s), ValueError,
     r"unknown parameter name\(s\) \['c'\]"),
    ("missing name", lambda s: sweep(toy, product(b=[1.0]), store=s), ValueError, r"needs parameter\(s\) \['a'\]"),
    ("both grid+static", lambda s: tsweep(s, static={"a": 1.0}), ValueError, r"both in the grid and in static"),
    ("seed reserved", lambda s: sweep(toy, product(a=[1.0], seed=[1.0]), store=s), ValueError, r"'seed' is reserved"),
    ("setting reserved", lambda s: sweep(toy, product(a=[1.0], setting=[1.0]), store=s), ValueError,
     r"'setting' is reserved"),
    ("seeds=2.7", lambda s: tsweep(s, seeds=2.7), TypeError, r"seeds must be None, a count or a list of integers"),
    ("seeds=True", lambda s: tsweep(s, seeds=True), TypeError, r"seeds must be"),
    ("seeds=0", lambda s: tsweep(s, seeds=0), ValueError, r"must be >= 1; got 0"),
    ("seeds dup", lambda s: tsweep(s, seeds=[1, 1]), ValueError, r"seeds must be distinct"),
    ("seeds<0", lambda s: tsweep(s, seeds=[-1]), ValueError, r"seeds must be integers in \[0, 2\*\*32\)"),
    ("seeds str", lambda s: tsweep(s, seeds=["a"]), TypeError, r"seeds must be integers"),
    ("seeds 2-D", lambda s: tsweep(s, seeds=[[1, 2]]), ValueError, r"1-D list of integers"),
    ("chunk_size=2.7", lambda s: tsweep(s, chunk_size=2.7), TypeError, r"chunk_size must be a positive integer"),
    ("chunk_size=0", lambda s: tsweep(s, chunk_size=0), ValueError, r"chunk_size must be >= 1; got 0"),
    ("memory_budget=0", lambda s: tsweep(s, memory_budget=0), ValueError, r"memory_budget must be a positive number"),
    ("memory_budget=nan", lambda s: tsweep(s, memory_budget=math.nan), ValueError, r"memory_budget must be a positive"),
    ("memory_budget=str", lambda s: tsweep(s, memory_budget="1"), TypeError, r"memory_budget must be a number"),
    ("max_result_bytes<0", lambda s: tsweep(s, max_result_bytes=-1), ValueError, r"max_result_bytes must be a positive"),
    ("static=str", lambda s: tsweep(s, static="b=1"), TypeError, r"static must be a dict"),
    ("static unknown", lambda s: tsweep(s, static={"nope": 1}), ValueError, r"unknown parameter name\(s\) \['nope'\]"),
    ("out_dims=str", lambda s: tsweep(s, out_dims={"s": "t"}), TypeError, r"out_dims\['s'\] must be a tuple"),
    ("out_dims unknown", lambda s: tsweep(s, out_dims={"w": ("t",)}), ValueError, r"unknown output 'w'"),
    ("out_dims rank", lambda s: tsweep(s, out_dims={"s": ("t",)}), ValueError, r"has shape \(\)"),
    ("coords unknown dim", lambda s: tsweep(s, coords={"t": [1]}), ValueError, r"unknown dimension 't'"),
    ("coords length", lambda s: eff(s, out_dims=EFFICACY_DIMS, coords={"spike": [1, 2]}), ValueError,
     r"coords\['spike'\] has 2 values but dimension 'spike' has 3"),
    ("coords 2-D", lambda s: tsweep(s, coords={"a": [[1.0, 2.0]]}), ValueError, r"coords\['a'\] must be 1-D"),
    ("store=int", lambda s: tsweep(123), TypeError, r"store must be a directory path"),
    ("store=''", lambda s: tsweep(""), ValueError, r"store must be a directory path"),
    ("overwrite=str", lambda s: tsweep(s, overwrite="yes"), TypeError, r"overwrite must be True or False"),
    ("progress=1", lambda s: tsweep(s, progress=1), TypeError, r"progress must be True or False"),
    ("reduce=3", lambda s: tsweep(s, reduce=3), TypeError, r"reduce must be callable"),
    ("callback=str", lambda s: tsweep(s, callback="x"), TypeError, r"callback must be callable"),
    ("devices=[]", lambda s: tsweep(s, devices=[]), ValueError, r"devices is empty"),
    ("run returns list", lambda s: sweep(lambda a: [a], product(a=[1.0]), store=s), ValueError, r"dict of named"),
    ("too many items", lambda s: sweep(toy, product(a=np.arange(50_000.0), b=np.arange(50_000.0)), store=s),
     ValueError, r"more than one sweep indexes \(2\*\*31\)"),
    # -- grids ----------------------------------------------------------------------------------
    ("product()", lambda s: product(), ValueError, r"at least one parameter"),
    ("product empty", lambda s: product(U=[]), ValueError, r"'U' has no values"),
    ("product str", lambda s: product(U=["a"]), TypeError, r"values of 'U' must be numbers"),
    ("product str scalar", lambda s: product(U="abc"), TypeError, r"values of 'U' must be numbers"),
    ("product None", lambda s: product(U=None), TypeError, r"values of 'U' must be numbers"),
    ("product complex", lambda s: product(U=[1 + 2j]), TypeError, r"values of 'U' must be numbers"),
    ("product 2-D", lambda s: product(U=[[0.1, 0.2]]), ValueError, r"scalar or a 1-D list"),
    ("product ragged", lambda s: product(U=[[0.1], [0.2, 0.3]]), ValueError, r"scalar or a 1-D list"),
    ("product nan", lambda s: product(U=[0.1, math.nan]), ValueError, r"'U' contain NaN"),
    ("zipped lengths", lambda s: zipped(U=[0.1, 0.2], tau_d=[1.0]), ValueError, r"same length; got U: 2, tau_d: 1"),
    ("zipped()", lambda s: zipped(), ValueError, r"at least one parameter"),
    ("random n=2.7", lambda s: random_samples(2.7, U=(0, 1)), TypeError, r"integer number of settings"),
    ("random n=0", lambda s: random_samples(0, U=(0, 1)), ValueError, r"n >= 1"),
    ("random seed<0", lambda s: random_samples(3, seed=-1, U=(0, 1)), ValueError, r"seed >= 0"),
    ("random seed=str", lambda s: random_samples(3, seed="x", U=(0, 1)), TypeError, r"integer seed"),
    ("random inf", lambda s: random_samples(3, U=(0, math.inf)), ValueError, r"must be finite"),
    ("random str", lambda s: random_samples(3, U="x"), TypeError, r"\(low, high\) or a callable"),
    ("random order", lambda s: random_samples(3, U=(1, 0)), ValueError, r"low <= high"),
    ("random sampler", lambda s: random_samples(3, U=lambda rng, n: rng.uniform(size=n + 1)), ValueError,
     r"must return 3 values"),
    ("random none", lambda s: random_samples(3), ValueError, r"at least one parameter"),
]


@pytest.mark.parametrize("call, exc, match", [c[1:] for c in API], ids=[c[0] for c in API])
def test_api_refuses_bad_input(tmp_path, call, exc, match):
    with pytest.raises(exc, match=match):
        call(tmp_path / "store")
    assert os.listdir(tmp_path) == []  # nothing written, no folder made


# -- store paths ------------------------------------------------------------------------------------
def _file(tmp):
    (tmp / "f").write_text("x")
    return tmp / "f"


def _foreign(tmp):
    (tmp / "d").mkdir()
    (tmp / "d" / "notes.txt").write_text("keep")
    return tmp / "d"


def _under_file(tmp):
    (tmp / "f").write_text("x")
    return tmp / "f" / "store"


STORE = [  # (id, setup(tmp) -> path, call(path), exception, message)
    ("store is a file", _file, tsweep, ValueError, r"exists and is not a directory"),
    ("store is foreign", _foreign, tsweep, ValueError, r"non-empty directory without manifest\.json"),
    ("store under a file", _under_file, tsweep, ValueError, r"is not a directory"),
    ("open missing", lambda t: t / "nope", open_store, ValueError, r"does not exist"),
    ("open foreign", _foreign, open_store, ValueError, r"not a sweep store \(no manifest\.json\)"),
    ("open garbage file", _file, open_store, ValueError, r"not a readable netCDF result"),
]


@pytest.mark.parametrize("setup, call, exc, match", [c[1:] for c in STORE], ids=[c[0] for c in STORE])
def test_store_refuses_bad_paths(tmp_path, setup, call, exc, match):
    path = setup(tmp_path)
    before = _snapshot(tmp_path)
    with pytest.raises(exc, match=match):
        call(path)
    assert _snapshot(tmp_path) == before  # nothing written, nothing removed


def _snapshot(root: Path) -> dict:
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))}


# -- the command line -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A finished efficacy store (for the plot cases) and a store with another sweep's chunks."""
    root = tmp_path_factory.mktemp("cli")
    sweep(stp_efficacy, product(U=[0.2, 0.5], tau_f=[100.0], tau_d=[200.0], rate=[10.0, 20.0]),
          static={"n_spikes": 3}, out_dims=EFFICACY_DIMS, coords={"spike": np.arange(1, 4)}, store=root / "eff")
    (root / "notes.txt").write_text("not a store")
    return root


S = ["sweep", "efficacy", "--no-progress", "--store", "{tmp}/new"]
C = ["sweep", "chain", "--no-progress", "--duration", "5", "--store", "{tmp}/new"]
L = ["sweep", "cond-lif", "--no-progress", "--duration", "5", "--store", "{tmp}/new"]
CLI = [
    ("chain --dt -0.1", C + ["--dt", "-0.1"], r"dt must lie in \(0, inf\) ms; got -0\.1"),
    ("chain --dt 0", C + ["--dt", "0"], r"dt must lie in"),
    ("chain --dt nan", C + ["--dt", "nan"], r"dt must lie in .*nan"),
    ("chain --dt x", C + ["--dt", "x"], r"argument --dt: invalid float value"),
    ("chain --duration 0", C + ["--duration", "0"], r"duration must lie in"),
    ("chain --duration -5", C + ["--duration", "-5"], r"duration must lie in"),
    ("chain --duration tiny", C + ["--duration", "0.01"], r"duration must cover at least one step"),
    ("chain --duration inf", C + ["--duration", "inf"], r"duration must lie in \(0, inf\)"),
    ("chain --tau-s 0", C + ["--tau-s", "0"], r"tau_s must lie in"),
    ("chain --U 1.5", C + ["--U", "1.5"], r"U must lie in \(0, 1\]; got 1\.5"),
    ("eff --U 0", S + ["--U", "0,0.5"], r"U must lie in \(0, 1\]; got 0"),
    ("eff --U nan", S + ["--U", "nan"], r"cannot read values 'nan'"),
    ("eff --U a,b", S + ["--U", "a,b"], r"cannot read values 'a,b'"),
    ("eff --U 1:2", S + ["--U", "1:2"], r"cannot read values '1:2'"),
    ("eff --U n=0", S + ["--U", "0:1:0"], r"cannot read values '0:1:0'"),
    ("eff --U log<=0", S + ["--U", "0:1:3:log"], r"cannot read values '0:1:3:log'"),
    ("eff --U huge n", S + ["--U", "0:1:100000000"], r"1 <= n <= 1000000"),
    ("eff --tau-f -1", S + ["--tau-f", "-1"], r"tau_f must lie in \[0, inf\]"),
    ("eff --tau-d -1", S + ["--tau-d", "-1"], r"tau_d must lie in"),
    ("eff --rate 0", S + ["--rate", "0"], r"rate must lie in \(0, inf\) Hz; got 0"),
    ("eff --rate -5", S + ["--rate", "-5"], r"rate must lie in"),
    ("eff --rate inf", S + ["--rate", "inf"], r"rate must lie in .*inf"),
    ("eff --n-spikes 0", S + ["--n-spikes", "0"], r"n_spikes must lie in \[1, inf\)"),
    ("eff --n-spikes -3", S + ["--n-spikes", "-3"], r"n_spikes must lie in"),
    ("eff --n-spikes 2.7", S + ["--n-spikes", "2.7"], r"argument --n-spikes: invalid int value: '2\.7'"),
    ("eff --train bursty", S + ["--train", "bursty"], r"argument --train: invalid choice"),
    ("eff --f with tm", S + ["--f", "0.2"], r"--f applies to --model markram only; got --model tm"),
    ("eff --read with tm3", S + ["--model", "tm3", "--read", "after"], r"--read applies to --model markram only"),
    ("eff --tau-psc with markram", S + ["--model", "markram", "--tau-psc", "3"], r"--tau-psc applies to --model tm3"),
    ("eff --n with tm", S + ["--n", "5"], r"--n applies to --model quantal only"),
    ("eff --model bogus", S + ["--model", "tm4"], r"argument --model: invalid choice: 'tm4'"),
    ("eff markram --f 1.5", S + ["--model", "markram", "--f", "0.2,1.5"], r"f must lie in \[0, 1\]; got 1\.5"),
    ("eff markram --read x", S + ["--model", "markram", "--read", "later"], r"argument --read: invalid choice"),
    ("eff markram --tau-f -1", S + ["--model", "markram", "--tau-f", "-1"], r"tau_f must lie in \[0, inf\] ms"),
    ("eff tm3 --tau-psc -3", S + ["--model", "tm3", "--tau-psc", "-3"], r"tau_psc must lie in \[0, inf\] ms; got -3"),
    ("eff quantal no seeds", S + ["--model", "quantal", "--n", "5"], r"--model quantal draws one stochastic trial per seed"),
    ("eff quantal --n 0", S + ["--model", "quantal", "--n", "0", "--seeds", "2"], r"n must lie in \[1, inf\)"),
    ("eff quantal --n 2.7", S + ["--model", "quantal", "--n", "2.7", "--seeds", "2"], r"argument --n: invalid int value"),
    ("eff quantal --U 0", S + ["--model", "quantal", "--U", "0", "--seeds", "2"], r"U must lie in \(0, 1\]"),
    ("lif --rate-e 20000", L + ["--rate-e", "20000"], r"rate_E·dt must be <= 1"),
    ("lif --rate-i -1", L + ["--rate-i", "-1"], r"rate_I must lie in \[0, inf\) Hz"),
    ("lif --tau-ratio 0", L + ["--tau-ratio", "0"], r"tau_ratio must lie in \(0, inf\)"),
    ("lif --duration 0", L + ["--duration", "0"], r"duration must lie in"),
    ("--cpu-devices 0", C + ["--cpu-devices", "0"], r"--cpu-devices must be >= 1; got 0"),
    ("--cpu-devices -1", C + ["--cpu-devices", "-1"], r"--cpu-devices must be >= 1"),
    ("--cpu-devices 2.5", C + ["--cpu-devices", "2.5"], r"argument --cpu-devices: invalid int value"),
    ("--seeds 0", C + ["--seeds", "0"], r"--seeds must be >= 1; got 0"),
    ("--seeds -2", C + ["--seeds", "-2"], r"--seeds must be >= 1"),
    ("--chunk-size 0", C + ["--chunk-size", "0"], r"--chunk-size must be >= 1; got 0"),
    ("--memory-budget 0", C + ["--memory-budget", "0"], r"--memory-budget must be a positive number of MiB"),
    ("--memory-budget nan", C + ["--memory-budget", "nan"], r"--memory-budget must be a positive"),
    ("--store is a file", ["sweep", "chain", "--store", "{fin}/notes.txt"], r"exists and is not a directory"),
    ("--store under a file", ["sweep", "chain", "--store", "{fin}/notes.txt/s"], r"notes\.txt is not a directory"),
    ("--store foreign dir", ["sweep", "chain", "--store", "{fin}"], r"non-empty directory without manifest\.json"),
    ("--store other sweep", S + ["--U", "0.3"] + ["--store", "{fin}/eff"], r"made by a different sweep"),
    ("no --store", ["sweep", "chain"], r"the following arguments are required: --store"),
    ("unknown model", ["sweep", "bogus", "--store", "{tmp}/x"], r"argument MODEL: invalid choice: 'bogus'"),
    ("unknown flag", C + ["--bogus", "1"], r"unrecognized arguments: --bogus"),
    ("plot missing", ["plot", "{tmp}/nope"], r"store .*nope does not exist"),
    ("plot foreign", ["plot", "{fin}"], r"not a sweep store \(no manifest\.json\)"),
    ("plot garbage file", ["plot", "{fin}/notes.txt"], r"not a readable netCDF result"),
    ("plot --var", ["plot", "{fin}/eff", "--var", "nope"], r"unknown variable 'nope'"),
    ("plot --sel no =", ["plot", "{fin}/eff", "--sel", "rate"], r"--sel takes DIM=VALUE; got 'rate'"),
    ("plot --sel dim", ["plot", "{fin}/eff", "--sel", "nodim=1"], r"unknown dimension 'nodim'"),
    ("plot --sel value", ["plot", "{fin}/eff", "--sel", "rate=abc"], r"--sel rate=VALUE needs a number; got 'abc'"),
    ("plot --sel nan", ["plot", "{fin}/eff", "--sel", "rate=nan"], r"needs a number; got 'nan'"),
    ("plot --out dir", ["plot", "{fin}/eff", "--out", "{tmp}"], r"is a directory; give a PNG file path"),
    ("plot --out txt", ["plot", "{fin}/eff", "--out", "{tmp}/x.txt"], r"--out must name a \.png file"),
    ("plot --out under file", ["plot", "{fin}/eff", "--out", "{fin}/notes.txt/x.png"], r"is not a directory"),
    ("plot no store arg", ["plot"], r"the following arguments are required: store"),
]


@pytest.mark.parametrize("argv", [c[1] for c in CLI], ids=[c[0] for c in CLI])
def test_cli_refuses_bad_input_in_one_line(tmp_path, finished, capsys, argv):
    match = dict((tuple(c[1]), c[2]) for c in CLI)[tuple(argv)]
    argv = [a.format(tmp=tmp_path, fin=finished) for a in argv]
    before = _snapshot(finished), _snapshot(tmp_path)
    try:
        rc = main(argv)
    except SystemExit as stop:  # argparse's own errors
        rc = stop.code
    err = capsys.readouterr().err
    assert rc == 2, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert __import__("re").search(match, lines[0]), lines[0]
    assert "Traceback" not in err
    assert (_snapshot(finished), _snapshot(tmp_path)) == before  # nothing written, no folder left


def test_table_size():
    assert len(API) + len(STORE) + len(CLI) >= 60


def test_valid_edges_give_the_right_answer(x64):
    """Limits that are meant are computed: tau = inf (no decay, no recovery), one spike, one setting."""
    ds = sweep(stp_efficacy, product(U=[0.5, 1.0], tau_f=[math.inf], tau_d=[math.inf], rate=[10.0]),
               static={"n_spikes": 4}, out_dims=EFFICACY_DIMS)
    for U in (0.5, 1.0):
        u, x, ref = 0.0, 1.0, []
        for _ in range(4):  # nothing decays between spikes
            u += U * (1.0 - u)
            ref.append(u * x)
            x -= u * x
        np.testing.assert_allclose(ds.efficacy.sel(U=U).values.ravel(), ref, rtol=1e-12)
    one = sweep(stp_efficacy, zipped(U=[0.3], tau_f=[50.0], tau_d=[100.0], rate=[1e4]), static={"n_spikes": 1})
    np.testing.assert_allclose(one.efficacy.values.ravel(), [0.3], rtol=1e-12)  # the first spike releases U


@pytest.mark.parametrize("argv", [["sweep"], ["sweep", "efficacy"], ["sweep", "chain"], ["sweep", "cond-lif"], ["plot"]])
def test_help_is_plain_text(capsys, argv):
    try:
        rc = main(argv + ["--help"])
    except SystemExit as stop:
        rc = stop.code
    assert rc in (0, None)
    out = capsys.readouterr().out
    assert out.startswith("usage:")
    for markup in ("``", ":func:", ":mod:", ":class:", "::\n"):
        assert markup not in out, (markup, out)


def test_plot_into_a_new_folder(finished, tmp_path, capsys):
    out = tmp_path / "figs" / "deep" / "eff.png"
    assert main(["plot", str(finished / "eff"), "--out", str(out), "--sel", "rate=20"]) == 0
    assert out.read_bytes()[:4] == b"\x89PNG" and sorted(os.listdir(out.parent)) == ["eff.png"]
