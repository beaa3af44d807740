"""Sweep plots: axis labels carry the units, log-spaced axes get decade ticks, file names follow --sel."""
from __future__ import annotations

import numpy as np

from stp_brainpy.cli import main
from stp_brainpy.sweeps import product, sweep
from stp_brainpy.sweeps.models import EFFICACY_DIMS, stp_efficacy
from stp_brainpy.sweeps.plotting import _index_ticks, is_log_spaced, plot_dataset, plot_name, tick_label


def test_log_spacing_and_tick_labels():
    assert is_log_spaced(np.geomspace(10, 1e4, 7)) and is_log_spaced(np.geomspace(1e4, 10, 4))
    assert not is_log_spaced([1.0, 2.0, 3.0]) and not is_log_spaced([1.0, 10.0]) and not is_log_spaced([0, 1, 10])
    assert [tick_label(v) for v in (200.0, 0.05, 1e4, 2.5e5, 1e-4, 0.0)] == ["200", "0.05", "1e4", "2.5e5", "1e-4", "0"]
    assert tick_label(1000.0) == "1e3" and tick_label(1500.0) == "1.5e3" and tick_label(999.0) == "999"
    pos, labels = _index_ticks(np.geomspace(10, 1e4, 7))  # 10 .. 10^4 in 7 steps of 10^0.5
    assert labels == ["10", "100", "1e3", "1e4"]
    np.testing.assert_allclose(pos, [0, 2, 4, 6])
    pos, labels = _index_ticks(np.array([0.1, 0.5, 0.9]))
    assert labels == ["0.1", "0.5", "0.9"] and list(pos) == [0, 1, 2]


def test_heat_map_labels_carry_units():
    ds = sweep(stp_efficacy, product(U=[0.2, 0.5], tau_d=np.geomspace(10, 1000, 5), tau_f=[50.0], rate=[20.0]),
               static={"n_spikes": 2}, out_dims=EFFICACY_DIMS)
    fig = plot_dataset(ds, "efficacy")
    ax = fig.axes[0]
    assert {ax.get_xlabel(), ax.get_ylabel()} == {"U", "tau_d (ms)"}
    log_axis = ax.xaxis if ax.get_xlabel() == "tau_d (ms)" else ax.yaxis
    assert [t.get_text() for t in log_axis.get_ticklabels()] == ["10", "100", "1e3"]
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_plot_names_follow_sel_and_never_overwrite(tmp_path, capsys):
    assert plot_name("efficacy") == "plot_efficacy.png"
    assert plot_name("efficacy", ["spike=10", "tau_d=200.0"]) == "plot_efficacy_spike-10_tau_d-200.png"
    store = tmp_path / "s"
    assert main(["sweep", "efficacy", "--U", "0.2,0.5", "--tau-d", "100,300", "--tau-f", "50", "--rate", "10,20",
                 "--n-spikes", "2", "--store", str(store), "--no-progress"]) == 0
    assert main(["plot", str(store), "--sel", "rate=10"]) == 0
    assert main(["plot", str(store), "--sel", "rate=20"]) == 0
    first = (store / "plot_efficacy_rate-10.png").read_bytes()
    assert main(["plot", str(store), "--sel", "rate=10"]) == 2 and "exists" in capsys.readouterr().err
    assert (store / "plot_efficacy_rate-10.png").read_bytes() == first and (store / "plot_efficacy_rate-20.png").exists()
