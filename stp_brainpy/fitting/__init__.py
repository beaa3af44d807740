"""Fit STP models to recorded responses: gradients, uncertainty, many synapses at once.

Example::

    >>> import numpy as np
    >>> from stp_brainpy import fitting
    >>> t = {"20Hz": np.arange(8) * 50.0, "burst": np.array([0.0, 6, 96.9, 109.4, 135, 144])}
    >>> y = {k: np.ones((5, v.size)) for k, v in t.items()}        # trials × spikes, NaN = missing
    >>> res = fitting.fit(t, y, model="tm", n_starts=8)               # doctest: +SKIP
    >>> res.params, res.stderr, res.bootstrap(200), res.profile("tau_d")  # doctest: +SKIP

- ``data``         protocols (spike times or ISIs), responses (trials × spikes, NaN = missing), CSV / xarray loaders
- ``losses``       ``sse``, ``equal`` (srplasticity), ``wls`` as weighted sums over sufficient statistics
- ``model``        free/fixed parameters, bounds, unconstrained coordinates; the equations come from ``core.family``
- ``optimise``     Levenberg–Marquardt, every start in one jitted vmapped call; Sobol designs; distinct optima
- ``fit``          :func:`fit` and :class:`FitResult`
- ``uncertainty``  Laplace standard errors and correlations, bootstrap over trials, profile likelihoods
- ``crossval``     leave-one-protocol-out cross-validation, model comparison (AIC, BIC, CV)
- ``batch``        many synapses (data sets) in one compiled call
- ``traces``       fit (U, tau_d, tau_f, tau_s, A) to a sampled PSC trace through the time-stepped core model
"""
from __future__ import annotations

from .batch import BatchFitResult, fit_batch
from .crossval import compare, cross_validate
from .data import Dataset, from_xarray, load_csv, make_dataset, times_from_isi
from .fit import FitResult, fit
from .losses import LOSSES
from .traces import TraceFit, fit_trace, simulate_trace
from .uncertainty import bootstrap, profile

__all__ = ["Dataset", "make_dataset", "times_from_isi", "load_csv", "from_xarray", "fit", "FitResult", "LOSSES",
           "bootstrap", "profile", "cross_validate", "compare", "fit_batch", "BatchFitResult", "fit_trace", "TraceFit",
           "simulate_trace"]
