"""Data sets: padding, sufficient statistics, ISIs, the CSV and xarray loaders."""
from __future__ import annotations

import numpy as np
import pytest

from stp_brainpy.fitting import from_xarray, load_csv, make_dataset, times_from_isi


def test_isi_with_leading_zero_gives_times():
    assert times_from_isi([0, 6, 90.9, 12.5]).tolist() == pytest.approx([0, 6, 96.9, 109.4])
    ds = make_dataset({"p": [0, 50, 50]}, {"p": [[1.0, 2, 3]]}, isi=True)
    assert ds.times[0].tolist() == [0, 50, 100]


def test_padding_and_statistics_match_numpy():
    y = {"a": np.array([[1.0, 2.0, np.nan], [3.0, np.nan, 5.0]]), "b": np.array([[1.0, 1.5], [2.0, 2.5], [3.0, 3.5]])}
    ds = make_dataset({"a": [0, 10, 20], "b": [0, 5]}, y)
    assert ds.times.shape == (2, 3) and np.isinf(ds.times[1, 2])
    assert ds.responses.shape == (2, 3, 3) and ds.n_trials == (2, 3) and ds.n_spikes == (3, 2)
    n, mean, ss = ds.stats()
    assert n.tolist() == [[2, 1, 1], [3, 3, 0]]
    assert mean[0].tolist() == [2.0, 2.0, 5.0] and mean[1, :2].tolist() == [2.0, 2.5]
    assert ss[0, 0] == 2.0 and ss[1, 1] == pytest.approx(2.0)
    m, sem = ds.mean_sem()
    assert sem[0, 0] == pytest.approx(np.std([1.0, 3.0], ddof=1) / np.sqrt(2)) and np.isnan(sem[0, 1])
    assert ds.n_observations == 10


def test_csv_round_trip(tmp_path):
    rows = ["protocol,trial,spike,amplitude,time"]
    rng = np.random.default_rng(0)
    y = rng.random((3, 4))
    for tr in range(3):
        for k in range(4):
            if (tr, k) != (1, 2):  # a missing response
                rows.append(f"20Hz,{tr},{k + 1},{float(y[tr, k])!r},{50.0 * k}")
    rows += ["burst,0,0,0.5,0", "burst,0,1,0.25,6", "burst,1,1,0.3,6"]
    path = tmp_path / "d.csv"
    path.write_text("\n".join(rows) + "\n")
    ds = load_csv(path)
    assert ds.protocols == ("20Hz", "burst")
    assert ds.times[0].tolist() == [0, 50, 100, 150]
    got = ds.responses[0]
    assert np.isnan(got[1, 2]) and np.allclose(np.delete(got.ravel(), 6), np.delete(y.ravel(), 6))
    assert ds.responses[1, :2, :2].tolist()[0] == [0.5, 0.25] and np.isnan(ds.responses[1, 1, 0])


def test_csv_with_separate_isi_protocols(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("protocol,trial,spike,amplitude\np,0,0,1\np,0,1,0.8\np,1,0,1.1\n")
    ds = load_csv(path, spike_times={"p": [0, 20]}, isi=True)
    assert ds.times[0].tolist() == [0, 20] and ds.n_trials == (2,)


def test_xarray_round_trip():
    ds = make_dataset({"a": [0, 10, 20], "b": [0, 5]}, {"a": np.ones((2, 3)), "b": 2 * np.ones((4, 2))})
    back = from_xarray(ds.to_xarray())
    assert back.protocols == ds.protocols
    assert np.array_equal(back.times, ds.times)
    assert np.array_equal(np.isnan(back.responses), np.isnan(ds.responses))
    assert np.nansum(back.responses) == np.nansum(ds.responses)
