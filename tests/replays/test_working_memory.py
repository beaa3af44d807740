"""Working memory in facilitating synapses (Mongillo et al. 2008), quick network (S = 0.2).

Read-out regime: after the cue the delay is quiet, the cued population answers the non-specific read-out with
a population spike and the uncued selective populations do not; the cued population's mean u stays above the
uncued ones by > 0.1 for >= 1 s. Periodic regime: the cued population alone emits population spikes in the
delay. Negative control: J_p well below its critical value (0.20 instead of 0.45 mV) and no memory is left.
"""
import json

import numpy as np
import pytest

from stp_brainpy.network.compile_fused import FusedNetwork
from stp_brainpy.replays.wm_cli import OUTPUTS, run_wm, wm_settings
from stp_brainpy.replays.working_memory import analyse, wm_network

pytestmark = pytest.mark.slow


def _sel(stats):
    return [p for p in stats["populations"] if p["selective"]]


def _u_gap(stats, t0, t1):
    u = stats["_u"]
    k0, k1 = int(t0 / stats["_every_ms"]), int(t1 / stats["_every_ms"])
    uncued = np.max([u[p["name"]][k0:k1] for p in _sel(stats) if not p["cued"]], axis=0)
    return u["sel0"][k0:k1] - uncued


def test_readout_regime_and_negative_control():
    prm, proto = wm_settings("readout", quick=True)
    net = wm_network(prm, proto)
    fn = FusedNetwork(net)
    stats = analyse(fn.run(), net, proto)
    r0, r1 = proto.readout
    for p in _sel(stats):
        in_delay = [t for t in p["population_spikes_ms"] if proto.delay[0] + 100 <= t < proto.delay[1]]
        at_readout = [t for t in p["population_spikes_ms"] if r0 <= t < r1 + 50]
        assert not in_delay, p
        assert bool(at_readout) == p["cued"], p
    gap = _u_gap(stats, proto.delay[0], proto.delay[1])
    assert gap.min() > 0.1 and proto.delay[1] - proto.delay[0] >= 1000
    # spontaneous activity: E below a few Hz, I a few Hz (Mongillo et al.: low-rate spontaneous state)
    for p in stats["populations"]:
        lim = (0.02, 20.0) if p["name"] == "I" else (0.02, 3.0)
        assert lim[0] < p["rate_hz"]["spontaneous"] < lim[1], p
    # negative control: same network with J_p far below critical; the read-out finds nothing
    weak = wm_network(prm.__class__(**{**prm.__dict__, "J_p": 0.20}), proto)
    fw = FusedNetwork(weak)
    fw.share_program(fn)
    sw = analyse(fw.run(), weak, proto)
    assert all(not [t for t in p["population_spikes_ms"] if r0 <= t < r1 + 50] for p in _sel(sw))


def test_periodic_regime_cli_outputs(tmp_path):
    out = tmp_path / "wm"
    paths = run_wm(out, "periodic", quick=True, progress=False)
    assert sorted(p.name for p in paths) == sorted(OUTPUTS)
    stats = json.loads((out / "stats.json").read_text())
    _, proto = wm_settings("periodic", quick=True)
    for p in _sel(stats):
        n = len([t for t in p["population_spikes_ms"] if proto.delay[0] + 100 <= t < proto.delay[1]])
        assert (n >= 2) if p["cued"] else (n == 0), p
        assert set(p["rate_hz"]) >= {"spontaneous", "cue", "delay"} and set(p["u_mean"]) == {"before_cue", "end_of_delay"}
    cued = [p for p in stats["populations"] if p["cued"]][0]
    assert cued["u_mean"]["end_of_delay"] > 0.35 and stats["cue_ms"] == list(proto.cue)
    import xarray as xr

    ds = xr.open_dataset(out / "spikes.nc")
    assert ds["spike_time"].attrs["units"] == "ms" and ds["rate"].attrs["units"] == "Hz" and ds.sizes["spike"] > 0
    ds.close()


def test_user_errors_are_refused_before_anything_is_written(tmp_path):
    out = tmp_path / "never"
    for kw, err in ((dict(regime="sideways"), ValueError), (dict(seed=-1), ValueError), (dict(seed=1.5), ValueError),
                    (dict(duration=500.0), ValueError), (dict(duration=float("nan")), ValueError)):
        with pytest.raises(err):
            run_wm(out, **{"quick": True, "progress": False, **kw})
        assert not out.exists()
