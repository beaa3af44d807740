"""Fit STP models to recorded responses: gradients, uncertainty, many synapses at once.

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

from .data import Dataset, from_xarray, load_csv, make_dataset, times_from_isi
from .fit import FitResult, fit
from .losses import LOSSES
from .uncertainty import bootstrap, profile

__all__ = ["Dataset", "make_dataset", "times_from_isi", "load_csv", "from_xarray", "fit", "FitResult", "LOSSES",
           "bootstrap", "profile"]
