"""Recipes for tests/test_units_everywhere.py: one valid call of every public object with a physical
parameter (``{'module:qualname': () -> R}``), small enough to run in well under a second each, and the
parameters exempt from the check, with the reason (:data:`EXEMPT`)."""
from __future__ import annotations

import dataclasses
import functools
from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np

import units_recipes_replays as _more

# ---------------------------------------------------------------- exemptions, each with its reason
# (object, parameter) of the physical vocabulary with no unit check, and why (test_units_everywhere.py)
_HELPER = "internal helper of the family modules (exported for core.markram/tm3/quantal); its callers convert"
_FLAG = "isi here is a flag (bool: the spike_times given are intervals), not a time"
_RECORD = "a state/trace record: arrays the package's steps build and return, in its units (not an input API)"
_SOLVER = "jitted solver on a checked Dataset's padded times (fit/fit_batch convert them first)"
EXEMPT: dict[tuple[str, str], str] = {
    ("stp_brainpy.core.family:check_dt", "dt"): _HELPER,
    ("stp_brainpy.core.family:check_isi", "isi"): _HELPER,
    ("stp_brainpy.core.family:check_spike_times", "spike_times"): _HELPER,
    ("stp_brainpy.core.family:check_spike_times", "t0"): _HELPER,
    ("stp_brainpy.core.family:spike_gaps", "spike_times"): _HELPER,
    ("stp_brainpy.core.family:spike_gaps", "t0"): _HELPER,
    ("stp_brainpy.core.family:decay", "tau"): _HELPER,
    ("stp_brainpy.core.family:ratio", "tau"): _HELPER,
    ("stp_brainpy.core.spike_inputs:regular_train", "isi"): "isi here is a whole number of steps, not a time",
    ("stp_brainpy.core.quantal:validate_params", "weight"): "weight per released site: dimensionless (COMMON)",
    ("stp_brainpy.core.quantal:event_efficacies", "weight"): "weight per released site: dimensionless",
    ("stp_brainpy.core.quantal:mean_efficacies", "weight"): "weight per released site: dimensionless",
    ("stp_brainpy.core.quantal:steady_state", "weight"): "weight per released site: dimensionless",
    ("stp_brainpy.sweeps.variants:quantal_efficacy", "weight"): "weight per released site: dimensionless",
    ("stp_brainpy.nest:efficacies", "weight"): "NEST's weight: a factor in the unit of whatever it drives",
    ("stp_brainpy.network.description:Record", "V"): "which neurons' V to record (a dict of ranges), not a "
                                                     "potential",
    ("stp_brainpy.network.plan:Group", "weight"): "compiled plan record: values converted by Projection",
    ("stp_brainpy.network.plan:Group", "delay"): "compiled plan record: a delay in whole steps",
    ("stp_brainpy.core.lif:LIFState", "t_last_spike"): _RECORD,
    ("stp_brainpy.core.lif:LIFState", "V"): _RECORD,
    ("stp_brainpy.core.cond_lif:CondLIFState", "V"): _RECORD,
    ("stp_brainpy.core.cond_lif:CondLIFState", "gE"): _RECORD,
    ("stp_brainpy.core.cond_lif:CondLIFState", "gI"): _RECORD,
    ("stp_brainpy.core.cond_lif:CondLIFTrace", "V"): _RECORD,
    ("stp_brainpy.core.cond_lif:CondLIFTrace", "gE"): _RECORD,
    ("stp_brainpy.core.cond_lif:CondLIFTrace", "gI"): _RECORD,
    ("stp_brainpy.core.circuits:ChainTrace", "I"): _RECORD,
    ("stp_brainpy.core.circuits:ChainTrace", "V"): _RECORD,
    ("stp_brainpy.fitting.optimise:solve", "times"): _SOLVER,
    ("stp_brainpy.fitting.optimise:solve_many", "times"): _SOLVER,
    ("stp_brainpy.fitting.uncertainty:resample_fits", "times"): _SOLVER,
    ("stp_brainpy.fitting.data:make_dataset", "isi"): _FLAG,
    ("stp_brainpy.fitting.data:load_csv", "isi"): _FLAG,
    ("stp_brainpy.fitting.data:from_xarray", "isi"): _FLAG,
    ("stp_brainpy.fitting.fit:fit", "isi"): _FLAG,
    ("stp_brainpy.fitting.crossval:cross_validate", "isi"): _FLAG,
    ("stp_brainpy.fitting.traces:TraceFit", "dt"): "a result record (the dt of the fit it reports)",
    ("stp_brainpy.fitting.batch:BatchFitResult", "times"): "a result record (the fitted data's times)",
    **_more.EXEMPT,  # the replays'
}


# ---------------------------------------------------------------- recipes: one valid call per object
@dataclasses.dataclass
class R:
    """A valid call: ``args``/``kwargs``; ``probe(result, name)`` extracts what to compare (default: all
    of the result's numbers, or the attribute ``name`` of an object that has it); ``units`` overrides the
    test unit of a parameter with several possible units."""

    args: tuple = ()
    kwargs: dict = dataclasses.field(default_factory=dict)
    probe: Callable | None = None
    units: dict = dataclasses.field(default_factory=dict)
    per: dict = dataclasses.field(default_factory=dict)


def r(*args, probe=None, units=None, per=None, **kwargs) -> R:
    """``per={name: {keyword: value}}``: extra keywords when testing ``name`` (e.g. ``model='tm3'`` for
    ``tau_psc``)."""
    return R(args, kwargs, probe, units or {}, per or {})


TM = dict(U=0.3, tau_f=50.0, tau_d=100.0)
TRAIN = [0.0, 10.0, 30.0, 35.0]


def _recipes() -> dict[str, Callable[[], R]]:
    from stp_brainpy.core import cond_lif, lif, markram, quantal, tm3
    from stp_brainpy.core.cond_neuron import CondLIFParams
    from stp_brainpy.core.stp import STPState

    key = jax.random.key(0)
    p = CondLIFParams()
    spikes = np.zeros(200, bool)
    spikes[[20, 50, 90, 150]] = True
    V = np.linspace(-70.0, -60.0, 100)
    train2 = np.zeros((2, 100))
    train2[:, [10, 40, 70]] = 1.0
    ds = dict(spike_times={"a": np.arange(6) * 20.0},
              responses={"a": np.array([[1.0, 0.8, 0.7, 0.65, 0.6, 0.6], [1.1, 0.7, 0.75, 0.6, 0.62, 0.58]])})
    fit_kw = dict(model="tm", n_starts=2, max_steps=5)

    def _neuron_attr(obj, name):
        return np.asarray(getattr(obj, name), float)

    def _pops():
        from stp_brainpy.network import CurrentLIF, Population

        return [Population("a", 2, CurrentLIF()), Population("b", 2, CurrentLIF())]

    def _bp_pair(n=2):
        from stp_brainpy.network import COBANeuron

        return COBANeuron(n), COBANeuron(n)

    def _attr(name_map=None):
        def probe(obj, name):
            attr = (name_map or {}).get(name, name)
            v = getattr(obj, attr)
            return np.asarray(getattr(v, "value", v), float)
        return probe

    R_ = {
        # core.stp
        "stp_brainpy.core.stp:validate_stp_params": lambda: r(**TM, tau_s=5.0, dt=0.1),
        "stp_brainpy.core.stp:stp_step": lambda: r(STPState(jnp.asarray(0.1), jnp.asarray(0.9)), 1.0, **TM, dt=0.1),
        "stp_brainpy.core.stp:exp_decay_step": lambda: r(1.0, 0.5, tau=5.0, dt=0.1),
        "stp_brainpy.core.stp:event_efficacies": lambda: r(TRAIN, **TM, t0=-20.0),
        "stp_brainpy.core.stp:interval_efficacies": lambda: r([10.0, 20.0, 5.0], **TM),
        "stp_brainpy.core.stp:steady_state": lambda: r(**TM, isi=20.0),
        "stp_brainpy.core.stp:regular_train_efficacies": lambda: r(5, **TM, isi=20.0),
        "stp_brainpy.core.stp:nth_spike_efficacy": lambda: r(3, **TM, isi=20.0),
        "stp_brainpy.core._decay:decay_factors": lambda: r(5.0, 10.0),
        # core.markram / tm3 / quantal
        "stp_brainpy.core.markram:MarkramParams": lambda: r(0.3, 0.2, 50.0, 100.0),
        "stp_brainpy.core.markram:make_params": lambda: r(0.3, f=0.2, tau_f=50.0, tau_d=100.0),
        "stp_brainpy.core.markram:validate_params": lambda: r(0.3, f=0.2, tau_f=50.0, tau_d=100.0),
        "stp_brainpy.core.markram:event_efficacies": lambda: r(TRAIN, **TM, f=0.2, t0=-20.0),
        "stp_brainpy.core.markram:step": lambda: r(markram.rest_state(markram.make_params()), 1.0,
                                                   markram.make_params(), dt=0.1),
        "stp_brainpy.core.markram:steady_state": lambda: r(**TM, f=0.2, isi=20.0),
        "stp_brainpy.core.tm3:TM3Params": lambda: r(0.3, 50.0, 100.0, 3.0),
        "stp_brainpy.core.tm3:make_params": lambda: r(**TM, tau_psc=3.0),
        "stp_brainpy.core.tm3:validate_params": lambda: r(**TM, tau_psc=3.0),
        "stp_brainpy.core.tm3:propagators": lambda: r(2.0, 50.0, 100.0, 3.0),
        "stp_brainpy.core.tm3:event_efficacies": lambda: r(TRAIN, **TM, tau_psc=3.0, t0=-20.0),
        "stp_brainpy.core.tm3:step": lambda: r(tm3.rest_state(), 1.0, tm3.make_params(), dt=0.1),
        "stp_brainpy.core.tm3:steady_state": lambda: r(**TM, tau_psc=3.0, isi=20.0),
        "stp_brainpy.core.quantal:QuantalParams": lambda: r(0.3, 50.0, 100.0),
        "stp_brainpy.core.quantal:make_params": lambda: r(**TM),
        "stp_brainpy.core.quantal:validate_params": lambda: r(**TM, n=3),
        "stp_brainpy.core.quantal:event_releases": lambda: r(TRAIN, **TM, n=3, key=key, t0=-20.0),
        "stp_brainpy.core.quantal:event_efficacies": lambda: r(TRAIN, **TM, n=3, key=key, t0=-20.0),
        "stp_brainpy.core.quantal:mean_efficacies": lambda: r(TRAIN, **TM, n=3, t0=-20.0),
        "stp_brainpy.core.quantal:step": lambda: r(quantal.rest_state(3), 1.0, quantal.make_params(), dt=0.1,
                                                   key=key, n=3),
        "stp_brainpy.core.quantal:steady_state": lambda: r(**TM, isi=20.0, n=3),
        "stp_brainpy.core.family:event_efficacies": lambda: r("tm3", TRAIN, dict(TM, tau_psc=3.0)),
        # conductance LIF, LIF, circuits, delays, inputs
        "stp_brainpy.core.cond_neuron:CondLIFParams": lambda: r(),
        "stp_brainpy.core.cond_neuron:validate_cond_lif_params": lambda: r(p, dt=0.1),
        "stp_brainpy.core.cond_neuron:refractory_steps": lambda: r(2.0, 0.1),
        "stp_brainpy.core.cond_neuron:threshold_check": lambda: r(jnp.array([-50.0, -60.0]), jnp.zeros(2), p, 0.1),
        "stp_brainpy.core.cond_neuron:conductance_membrane_step": lambda: r(-60.0, 2.0, -10.0, 5.0, 10.0, -70.0,
                                                                            200.0, 0.1),
        "stp_brainpy.core.cond_neuron:membrane_step": lambda: r(-60.0, 1.0, 2.0, 5.0, p, 0.1),
        "stp_brainpy.core.cond_neuron:conductance_lif_step": lambda: r(jnp.asarray(-60.0), jnp.asarray(0.0), 2.0,
                                                                       -10.0, 5.0, p, 0.1),
        "stp_brainpy.core.cond_lif:STPParams": lambda: r(0.3, 50.0, 100.0),
        "stp_brainpy.core.cond_lif:cond_lif_step": lambda: r(
            cond_lif.CondLIFState(jnp.asarray(-60.0), jnp.asarray(0.0), jnp.asarray(1.0), jnp.asarray(0.5)),
            1.0, 0.5, 10.0, p, 0.1),
        "stp_brainpy.core.cond_lif:run_cond_lif": lambda: r(jnp.asarray(train2[0] * 3.0), jnp.asarray(train2[1]),
                                                            I_inj=300.0, dt=0.1),
        "stp_brainpy.core.cond_lif:stp_conductance": lambda: r(jnp.asarray(train2), **TM, g_bar=2.0, tau_s=5.0,
                                                               dt=0.1),
        "stp_brainpy.core.cond_lif:stp_drive": lambda: r(jnp.asarray(train2), 2.0, cond_lif.STPParams(**TM), dt=0.1),
        "stp_brainpy.core.cond_lif:stp_drive_events": lambda: r(jnp.array([[10, 40, 70], [5, 50, 100]]), 2.0,
                                                                cond_lif.STPParams(**TM), 100, dt=0.1),
        "stp_brainpy.core.cond_lif:run_cond_lif_inputs": lambda: r(jnp.asarray(train2), jnp.asarray(train2), 2.0, 1.0,
                                                                   I_inj=200.0, dt=0.1),
        "stp_brainpy.core.cond_lif:cond_lif_stp_summary": lambda: r(0.5, 10.0, 15.0, duration=50.0, n_E=4, n_I=2,
                                                                    I_inj=300.0),
        "stp_brainpy.core.lif:LIFParams": lambda: r(),
        "stp_brainpy.core.lif:lif_step": lambda: r(lif.lif_rest_state(), 28.0, 1.0, 0.1),
        "stp_brainpy.core.circuits:lif_stp_chain": lambda: r(**TM, duration=20.0),
        "stp_brainpy.core.circuits:n_steps": lambda: r(20.0, 0.1),
        "stp_brainpy.core.delays:delay_steps": lambda: r(1.0, 0.1),
        "stp_brainpy.core.delays:delays_steps": lambda: r(np.array([0.0, 0.25, 1.5]), 0.1),
        "stp_brainpy.core.spike_inputs:poisson_trains": lambda: r(key, 50.0, 3, 100, 0.1),
        "stp_brainpy.core.spike_inputs:poisson_trains_sparse": lambda: r(key, 50.0, 3, 100, 0.1, 10),
        "stp_brainpy.core.spike_inputs:poisson_spike_indices": lambda: r(key, 50.0, 3, 100, 0.1, 10),
        "stp_brainpy.core.spike_inputs:sparse_max_spikes": lambda: r(20.0, 100.0),
        "stp_brainpy.core.spike_inputs:times_to_train": lambda: r([1.0, 2.5], 50, 0.1),
        "stp_brainpy.core.spike_inputs:gaussian_white_noise": lambda: r(key, 10.0, 2.0, 50, 0.1),
        "stp_brainpy.core.spike_inputs:isi_steps": lambda: r(20.0, 0.1),
        "stp_brainpy.core.spike_inputs:check_dt": lambda: r(0.1),
        "stp_brainpy.core.spike_inputs:check_rate": lambda: r(20.0, 0.1),
        "stp_brainpy.inputs:regular_train": lambda: r(50.0, 50.0, dt=0.1, start=2.0),
        "stp_brainpy.inputs:poisson_train": lambda: r(50.0, 2, 50.0, dt=0.1),
        "stp_brainpy.inputs:spike_times_train": lambda: r([1.0, 5.0], 20.0, dt=0.1),
        "stp_brainpy.inputs:gaussian_white_noise": lambda: r(10.0, 2.0, 20.0, dt=0.1),
        "stp_brainpy.analysis:firing_rate": lambda: r(spikes, 0.1, t_start=1.0),
        "stp_brainpy.analysis:spike_times": lambda: r(spikes, 0.1, 6),
        "stp_brainpy.analysis:isis": lambda: r(spikes, 0.1, 6),
        "stp_brainpy.analysis:cv_isi": lambda: r(spikes, 0.1),
        "stp_brainpy.analysis:fmp_stats": lambda: r(V, t_start=1.0, dt=0.1),
        "stp_brainpy.nest:efficacies": lambda: r("tsodyks_synapse", [10.0, 20.0, 35.0], U=0.5, tau_rec=100.0,
                                                 tau_fac=50.0, tau_psc=3.0),
        # sweep models
        "stp_brainpy.sweeps.models:stp_efficacy": lambda: r(**TM, rate=20.0, n_spikes=4),
        "stp_brainpy.sweeps.variants:markram_efficacy": lambda: r(**TM, rate=20.0, f=0.2, n_spikes=4),
        "stp_brainpy.sweeps.variants:tm3_efficacy": lambda: r(**TM, rate=20.0, tau_psc=3.0, n_spikes=4),
        "stp_brainpy.sweeps.variants:quantal_efficacy": lambda: r(**TM, rate=20.0, seed=0, n=3, n_spikes=4),
        "stp_brainpy.sweeps.variants:regular_times": lambda: r(3, 10.0),
        "stp_brainpy.sweeps.variants:poisson_times": lambda: r(key, 3, 10.0),
        "stp_brainpy.sweeps.models:chain_summary": lambda: r(**TM, duration=20.0),
        "stp_brainpy.sweeps.models:chain_traces": lambda: r(**TM, duration=20.0),
        "stp_brainpy.sweeps.models:chain_times": lambda: r(20.0, 0.1),
        "stp_brainpy.sweeps.models:cond_lif_stp": lambda: r(0.5, 10.0, 15.0, duration=50.0, n_E=4, n_I=2),
        # fitting
        "stp_brainpy.fitting.data:times_from_isi": lambda: r([10.0, 20.0]),
        "stp_brainpy.fitting.data:Dataset": lambda: r(("a",), np.array([[0.0, 20.0]]), np.ones((1, 1, 2)), (2,), (1,)),
        "stp_brainpy.fitting.data:make_dataset": lambda: r(ds["spike_times"], ds["responses"]),
        "stp_brainpy.fitting.data:from_xarray": lambda: r(_xarray(), ds["spike_times"]),
        "stp_brainpy.fitting.data:load_csv": lambda: r(_csv(), ds["spike_times"]),
        "stp_brainpy.fitting.fit:fit": lambda: r(ds["spike_times"], ds["responses"], **fit_kw, probe=_fit_probe),
        "stp_brainpy.fitting.crossval:cross_validate": lambda: r(
            {"a": ds["spike_times"]["a"], "b": ds["spike_times"]["a"] * 2},
            {"a": ds["responses"]["a"], "b": ds["responses"]["a"]}, **fit_kw, probe=_cv_probe),
        "stp_brainpy.fitting.crossval:compare": lambda: r(ds["spike_times"], ds["responses"], models=("tm",),
                                                          n_starts=2, max_steps=5, cv=False, probe=_cv_probe,
                                                          ),
        "stp_brainpy.fitting.batch:fit_batch": lambda: r(ds["spike_times"], {"a": ds["responses"]["a"][None]},
                                                         **fit_kw, probe=_fit_probe),
        "stp_brainpy.fitting.traces:simulate_trace": lambda: r([1.0, 6.0], 100, 0.1, 0.3, tau_f=50.0, tau_d=100.0,
                                                               tau_s=3.0),
        "stp_brainpy.fitting.traces:fit_trace": lambda: r(_trace(), 0.1, [1.0, 6.0, 11.0], n_starts=2, max_steps=3,
                                                          probe=_fit_probe),
        # network description and classes
        "stp_brainpy.network.config:COBAConfig": lambda: r(n_neurons=10),
        "stp_brainpy.network.populations:CurrentLIF": lambda: r(V0=(0.0, 10.0)),
        "stp_brainpy.network.populations:CondLIFModel": lambda: r(),
        "stp_brainpy.network.populations:PoissonSource": lambda: r(20.0),
        "stp_brainpy.network.populations:SpikeSource": lambda: r([0, 1], [1.0, 2.0]),
        "stp_brainpy.network.description:Projection": lambda: r(
            "a", "b", _bernoulli(), weight=0.5, delay=1.0, output="conductance", synapse="exp", tau_s=5.0, E=0.0,
            units={"weight": "nS"}),
        "stp_brainpy.network.description:WhiteNoise": lambda: r("a", 1.0, 0.5),
        "stp_brainpy.network.description:Stimulus": lambda: r("a", 10.0, 20.0, 2.0),
        "stp_brainpy.network.description:Network": lambda: r(_pops(), dt=0.1, duration=20.0),
        "stp_brainpy.network.description:delays_to_steps": lambda: r(np.array([0.5, 1.0]), 0.1),
        "stp_brainpy.network.steps:source_release": lambda: r(STPState(jnp.zeros(2), jnp.ones(2)),
                                                              jnp.array([1.0, 0.0]), 2.0, **TM, dt=0.1,
                                                              units={"weight": "nS"}),
        "stp_brainpy.network.stats:spike_stats": lambda: r(np.array([0, 1, 0]), np.array([1.0, 2.0, 7.0]), 2, 20.0,
                                                           dt=0.1),
        "stp_brainpy.network.stats:stats_from_sums": lambda: r(np.array([3.0]), np.array([2.0]), np.array([10.0]),
                                                               np.array([60.0]), 20.0),
        "stp_brainpy.network.stats:population_stats": lambda: r(np.array([0, 1, 0]), np.array([1.0, 2.0, 7.0]),
                                                                [("a", 0, 2)], 20.0, dt=0.1,
                                                                probe=_xr_probe),
        "stp_brainpy.network.models:COBANeuron": lambda: r(3, probe=_coba_probe, per={"V_initializer": dict(
            V_initializer=np.full(3, -55.0))}),
        "stp_brainpy.network.projections:EventSTPProjection": lambda: r(
            *_bp_pair(), _conn(), weight=2.0, tau_s=5.0, E=0.0, **TM, delay=0.5, units={"weight": "nS"},
            probe=_attr({"U": "U", "weight": "weight"})),
        "stp_brainpy.neurons.cond_inputs:ConductanceInput": lambda: r(*_cond_pair(), 2.0, conn=None, **TM,
                                                                      probe=_attr(), per=_TM3),
        "stp_brainpy.neurons.lif:LIF": lambda: r(2, probe=_neuron_attr),
        "stp_brainpy.neurons.cond_lif:CondLIF": lambda: r(2, probe=_neuron_attr),
        "stp_brainpy.synapses.stp:STP": lambda: r(*_lif_pair(), _all2all(), probe=_neuron_attr, per=_TM3),
        "stp_brainpy.synapses.syndyn:STPExpon": lambda: r(2, probe=_neuron_attr, per=_TM3),
        "stp_brainpy.synapses.syndyn:STPRelease": lambda: r(2, probe=_neuron_attr, per=_TM3),
    }
    return R_


_TM3 = {"tau_psc": dict(model="tm3", tau_psc=3.0)}


def _coba_probe(obj, name):
    return np.asarray(obj.V.value if name == "V_initializer" else getattr(obj.params, name), float)


def _xr_probe(ds, name):
    return {k: np.asarray(ds[k].values) for k in ds.data_vars}


def _bernoulli():
    from stp_brainpy.network import Bernoulli

    return Bernoulli(0.5)


def _conn():
    from stp_brainpy.network import bernoulli

    return bernoulli(2, 2, 1.0, seed=0)


def _cond_pair():
    from stp_brainpy.inputs import SpikeTrainGroup
    from stp_brainpy.neurons import CondLIF

    train = np.zeros((20, 1))
    train[5] = 1.0
    return SpikeTrainGroup(train), CondLIF(1)


def _lif_pair():
    from stp_brainpy.neurons import LIF

    return LIF(2), LIF(2)


def _all2all():
    import brainpy as bp

    return bp.connect.All2All()


def _xarray():
    import xarray as xr

    return xr.DataArray(np.array([[[1.0, 0.8, 0.7, 0.65, 0.6, 0.6]]]), dims=("protocol", "trial", "spike"),
                        coords={"protocol": ["a"]}, name="amplitude")


def _csv():
    import os
    import tempfile

    rows = ["protocol,trial,spike,amplitude"] + [f"a,0,{k},{v}" for k, v in enumerate([1.0, 0.8, 0.7, 0.65, 0.6, 0.6])]
    fd, path = tempfile.mkstemp(suffix=".csv")
    with os.fdopen(fd, "w") as fh:
        fh.write("\n".join(rows) + "\n")
    return path


def _trace():
    from stp_brainpy.fitting import simulate_trace

    return np.asarray(simulate_trace([1.0, 6.0, 11.0], 200, 0.1, 0.3, tau_f=50.0, tau_d=100.0, tau_s=3.0))


def _fit_probe(res, name):
    return {k: np.asarray(v, float) for k, v in res.params.items()}


def _cv_probe(res, name):
    rows = res if isinstance(res, list) else [res]
    return [{k: v for k, v in (row.items() if isinstance(row, dict) else ()) if isinstance(v, (int, float))}
            for row in rows]


@functools.lru_cache(maxsize=None)
def all_recipes() -> dict[str, Callable[[], R]]:
    """:data:`RECIPES`: ``{'module:qualname': () -> R}`` (built on first use: they import the package); the replays'
    and brainpy.state's are in ``units_recipes_replays.py``."""
    from units_recipes_replays import replay_recipes

    return {**_recipes(), **replay_recipes()}
