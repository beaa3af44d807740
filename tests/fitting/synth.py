"""Synthetic experiments shared by the fitting tests (spike trains in ms, responses trials × spikes)."""
from __future__ import annotations

import numpy as np

# regular trains, a burst pattern and srplasticity's mixed burst: every time constant leaves a trace
PROTOCOLS = {
    "10Hz": np.arange(8) * 100.0,
    "50Hz": np.arange(8) * 20.0,
    "burst": np.array([0.0, 5, 10, 15, 200, 205, 210, 600]),
    "mixed": np.cumsum([0.0, 6, 90.9, 12.5, 25.6, 9, 300, 40]),
}


def mean_response(model, params, amplitude=2.0, protocols=PROTOCOLS, **options):
    from stp_brainpy.core import family

    return {k: amplitude * np.asarray(family.event_efficacies(model, t, params, **options), float)
            for k, t in protocols.items()}


def noisy(means, trials, sigma, rng, missing=0.0):
    out = {}
    for k, m in means.items():
        y = m[None, :] + sigma * rng.standard_normal((trials, m.size))
        if missing:
            y[rng.random(y.shape) < missing] = np.nan
            y[0] = m + sigma * rng.standard_normal(m.size)  # keep every protocol observed
        out[k] = y
    return out
