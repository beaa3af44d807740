"""A fused scan run in pieces (for the progress bar) gives exactly the spikes, counts and recordings of one scan,
on both delivery backends; the pieces cover the steps in order."""
from __future__ import annotations

import numpy as np
import pytest

from stp_brainpy.network.chunked import chunk_bounds, chunk_length
from stp_brainpy.network.compile_fused import FusedNetwork
from stp_brainpy.network.description import (Bernoulli, CurrentLIF, Network, Population, Projection, Record, STPModel,
                                             Uniform, WhiteNoise)


def _net():
    rec = Record(spikes=("E",), blocks=(("a", "E", 0, 20),), stp=True, every=7, V={"E": 3})
    return Network([Population("E", 60, CurrentLIF(V0=(0.0, 20.0)))],
                   [Projection("E", "E", Bernoulli(0.1), weight=0.6, delay=Uniform(0.1, 1.0),
                               stp=STPModel("markram", read="after", U=0.2, tau_f=100.0, tau_d=50.0))],
                   [WhiteNoise("E", 22.0, 2.0)], record=rec, duration=61.3)


@pytest.mark.parametrize("backend", ["native", "xla"])
def test_chunked_equals_one_scan(backend):
    net = _net()
    whole = FusedNetwork(net, backend=backend).run()
    seen = []
    parts = FusedNetwork(net, backend=backend).run(chunk=100, progress=lambda k, n: seen.append((k, n)))
    assert whole["n_spikes"] > 20
    for k in ("spike_steps", "spike_neurons", "counts", "pop_count", "block_count", "stp_mean", "block_stp_mean", "V"):
        assert np.array_equal(whole[k], parts[k]), k
    assert whole["cv_isi"] == parts["cv_isi"] and whole["rate_hz"] == parts["rate_hz"]
    assert seen[-1] == (net.n_steps, net.n_steps) and [k for k, _ in seen] == sorted(k for k, _ in seen)


def test_bounds():
    assert chunk_length(1000, 90) == 100  # a divisor near the target: one compiled program
    assert chunk_length(613, 100) == 100  # 613 is prime: a shorter last piece
    for n, t in ((613, 100), (10, 50), (7, 1), (120000, 2400)):
        b = chunk_bounds(n, t)
        assert b[0][0] == 0 and b[-1][1] == n and all(x[1] == y[0] for x, y in zip(b, b[1:]))
    with pytest.raises(ValueError, match="chunk"):
        chunk_length(10, 0)
