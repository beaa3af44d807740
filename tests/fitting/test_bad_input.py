"""Every bad input to the fitting API is refused eagerly with an error that names it."""
from __future__ import annotations

import numpy as np
import pytest

from stp_brainpy.fitting import fit, load_csv, make_dataset, times_from_isi
from stp_brainpy.fitting.batch import fit_batch
from stp_brainpy.fitting.crossval import cross_validate

T = {"a": [0.0, 20.0, 40.0], "b": [0.0, 50.0]}
Y = {"a": np.ones((3, 3)), "b": np.ones((2, 2))}


def _with(**kw):
    args = dict(spike_times=T, responses=Y, model="tm")
    args.update(kw)
    return args


CASES = [
    # (description, call, exception, text in the message)
    ("all-NaN protocol", _with(responses={"a": np.full((3, 3), np.nan), "b": Y["b"]}), ValueError, "all missing"),
    ("zero trials", _with(responses={"a": np.ones((0, 3)), "b": Y["b"]}), ValueError, "all missing"),
    ("spike count mismatch", _with(responses={"a": np.ones((3, 4)), "b": Y["b"]}), ValueError, "have 4 spikes"),
    ("3-D responses", _with(responses={"a": np.ones((3, 3, 1)), "b": Y["b"]}), ValueError, "trials × spikes"),
    ("negative time", _with(spike_times={"a": [-1.0, 20, 40], "b": [0, 50]}), ValueError, ">= 0 ms"),
    ("unsorted times", _with(spike_times={"a": [0.0, 40, 20], "b": [0, 50]}), ValueError, "strictly increasing"),
    ("duplicate time", _with(spike_times={"a": [0.0, 20, 20], "b": [0, 50]}), ValueError, "strictly increasing"),
    ("NaN time", _with(spike_times={"a": [0.0, np.nan, 40], "b": [0, 50]}), ValueError, "finite"),
    ("inf time", _with(spike_times={"a": [0.0, 20, np.inf], "b": [0, 50]}), ValueError, "finite"),
    ("empty train", _with(spike_times={"a": [], "b": [0, 50]}), ValueError, "non-empty"),
    ("string times", _with(spike_times={"a": "0,20,40", "b": [0, 50]}), TypeError, "spike times"),
    ("complex responses", _with(responses={"a": np.ones((3, 3)) * 1j, "b": Y["b"]}), TypeError, "real numbers"),
    ("inf response", _with(responses={"a": np.full((3, 3), np.inf), "b": Y["b"]}), ValueError, "finite or NaN"),
    ("missing protocol", _with(responses={"a": Y["a"]}), ValueError, "no responses for ['b']"),
    ("extra protocol", _with(responses=dict(Y, c=np.ones((1, 2)))), ValueError, "no spike times for ['c']"),
    ("no responses", _with(responses=None), TypeError, "responses is required"),
    ("unknown model", _with(model="tsodyks9"), ValueError, "model must be one of"),
    ("stochastic model", _with(model="quantal"), ValueError, "stochastic"),
    ("model not a string", _with(model=3), TypeError, "model must be one of"),
    ("unknown loss", _with(loss="mae"), ValueError, "loss must be one of"),
    ("loss not a string", _with(loss=None), TypeError, "loss must be one of"),
    ("bad amplitude word", _with(amplitude="last"), ValueError, "amplitude must be"),
    ("zero amplitude", _with(amplitude=0.0), ValueError, "non-zero"),
    ("NaN amplitude", _with(amplitude=float("nan")), ValueError, "finite"),
    ("fixed unknown name", _with(fixed={"tau_x": 3.0}), ValueError, "unknown parameters ['tau_x']"),
    ("fixed out of range", _with(fixed={"U": 1.5}), ValueError, "fixed['U'] must lie in (0, 1]"),
    ("fixed string", _with(fixed={"U": "0.3"}), TypeError, "fixed['U']"),
    ("everything fixed", _with(fixed={"U": 0.3, "tau_f": 10.0, "tau_d": 100.0}), ValueError, "at least one free"),
    ("bounds reversed", _with(bounds={"tau_d": (500.0, 10.0)}), ValueError, "low < high"),
    ("bounds outside range", _with(bounds={"U": (0.1, 2.0)}), ValueError, "valid range of U"),
    ("bounds not a pair", _with(bounds={"U": 0.5}), TypeError, "pair"),
    ("tau bound at 0", _with(bounds={"tau_f": (0.0, 100.0)}), ValueError, "> 0 ms"),
    ("fixed not a mapping", _with(fixed=[("U", 0.3)]), TypeError, "fixed must be a mapping"),
    ("n_starts 2.7", _with(n_starts=2.7), ValueError, "n_starts must be an integer"),
    ("n_starts 0", _with(n_starts=0), ValueError, "n_starts must be an integer >= 1"),
    ("n_starts string", _with(n_starts="8"), TypeError, "n_starts"),
    ("negative seed", _with(seed=-1), ValueError, "seed"),
    ("unknown model option", _with(model="markram", reed="after"), (TypeError, ValueError), "reed"),
    ("bad read option", _with(model="markram", read="sideways"), ValueError, "read"),
    ("wls without spread", _with(loss="wls"), ValueError, "sigma"),
    ("sigma negative", _with(sigma=-1.0), ValueError, "sigma of protocol 'a' must lie in (0, inf)"),
    ("sigma wrong length", _with(sigma={"a": [1.0, 1.0], "b": 1.0}), ValueError, "one value per spike"),
    ("too few observations", _with(responses={"a": [[1.0, np.nan, np.nan]], "b": [[1.0, np.nan]]}), ValueError,
     "cannot determine"),
    ("bad ISI", _with(spike_times={"a": [0.0, 20, -5], "b": [0, 50]}, isi=True), ValueError, "intervals > 0"),
]


@pytest.mark.parametrize("what, kwargs, exc, text", CASES, ids=[c[0] for c in CASES])
def test_fit_refuses(what, kwargs, exc, text):
    with pytest.raises(exc) as info:
        fit(**kwargs)
    assert text in str(info.value), str(info.value)


def test_loaders_and_other_entry_points_refuse(tmp_path):
    with pytest.raises(OSError, match="does not exist"):
        load_csv(tmp_path / "none.csv")
    (tmp_path / "c.csv").write_text("protocol,trial,amplitude\np,0,1\n")
    with pytest.raises(ValueError, match=r"lacks the columns \['spike'\]"):
        load_csv(tmp_path / "c.csv")
    (tmp_path / "d.csv").write_text("protocol,trial,spike,amplitude\np,0,0,1\n")
    with pytest.raises(ValueError, match="no 'time' or 'isi' column"):
        load_csv(tmp_path / "d.csv")
    (tmp_path / "e.csv").write_text("protocol,trial,spike,amplitude,time\np,0,0,1,0\np,0,0,2,0\n")
    with pytest.raises(ValueError, match="several rows"):
        load_csv(tmp_path / "e.csv")
    (tmp_path / "f.csv").write_text("protocol,trial,spike,amplitude,time\np,0,0,abc,0\n")
    with pytest.raises(ValueError, match="column 'amplitude'"):
        load_csv(tmp_path / "f.csv")
    with pytest.raises(ValueError, match="non-empty 1-D"):
        times_from_isi([])
    with pytest.raises(TypeError):
        make_dataset(T, Y, isi="yes") if False else make_dataset("abc", Y)
    with pytest.raises(ValueError, match=">= 2 protocols"):
        cross_validate({"a": T["a"]}, {"a": Y["a"]}, model="tm")
    with pytest.raises(ValueError, match="same number of synapses"):
        fit_batch(T, {"a": np.ones((2, 3, 3)), "b": np.ones((3, 2, 2))}, model="tm")
    with pytest.raises(ValueError, match="synapse 1 are all missing"):
        fit_batch(T, {"a": np.stack([np.ones((3, 3)), np.full((3, 3), np.nan)]), "b": np.ones((2, 2, 2))}, model="tm")
