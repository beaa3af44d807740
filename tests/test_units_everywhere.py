"""Every public function and class with a time, potential, conductance, current or rate parameter takes the
right brainunit Quantity (the same result as the bare number in the documented unit) and refuses a wrong
dimension with an error naming the parameter (issue 12).

The public API is enumerated from the ``__all__`` of every module of the package (private modules, whose
names start with ``_``, excepted). A parameter whose name is one of the package's physical vocabulary
(:data:`VOCAB`) must have a recipe (``tests/units_recipes.py``) (a valid call) or an entry in ``EXEMPT`` (there) with
the reason: a new public function with such a parameter and no unit support fails
:func:`test_every_physical_parameter_has_a_recipe_or_a_reason`.
"""
from __future__ import annotations

import dataclasses
import functools
import importlib
import inspect
import pkgutil
import re
import warnings
from typing import Any

import brainunit as u
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import stp_brainpy
from stp_brainpy.units import UnitError
import units_recipes_replays as more
from units_recipes import EXEMPT, TRAIN, all_recipes

# ---------------------------------------------------------------- the vocabulary (names -> unit)
# From the package's one vocabulary (helper brief, stp_brainpy.units.PARAM_UNITS, stp_brainpy.sweeps.meta.COMMON)
# and the docstrings: times ms, potentials mV, conductances nS, currents pA, rates Hz, capacitance pF.
VOCAB: list[tuple[str, Any]] = [
    (r"tau(_(?!ratio$)\w+)?", "ms"), (r"dt|t|t0|t1|t_start|delay|delay_ms|duration|isi|intervals|h|delta", "ms"),
    (r"spike_times|times", "ms"),
    (r"V|V0|V_\w+|E|E_\w+", "mV"), (r"current", "mV"),
    (r"g_\w+|g[EI]_bar|G_syn|gE|gI|w_E|w_I|drive_E|drive_I", "nS"),
    (r"I|I_e|I_inj|GE_syn|mu|sig", "pA"), (r"C_m", "pF"), (r"rate|rate_\w+", "Hz"),
    (r"weight", ("mV", "nS", "pA")),
]
#: Parameters whose unit is not told by the name alone: (object, parameter) -> unit.
EXTRA = {
    ("stp_brainpy.inputs:regular_train", "start"): "ms",
    ("stp_brainpy.network.description:WhiteNoise", "mean"): "pA",
    ("stp_brainpy.network.description:WhiteNoise", "sigma"): "pA",
    **more.EXTRA,  # the replays' and brainpy.state's
}


def vocab_unit(name: str):
    for pattern, unit in VOCAB:
        if re.fullmatch(pattern, name):
            return unit
    return None


# ---------------------------------------------------------------- exemptions, each with its reason
_MODULE_EXEMPT = {
    "stp_brainpy.network.kernels": "step kernels of the compiled network, called only inside its jit with the "
                                   "plan's values (converted when the Network was described)",
    "stp_brainpy.sweeps.params": "sweep declarations: their `rate`, `dt`, `duration` are parameter *names* (str)",
}


# ---------------------------------------------------------------- enumeration of the public API
def _modules():
    names = ["stp_brainpy"] + [m.name for m in pkgutil.walk_packages(stp_brainpy.__path__, "stp_brainpy.")]
    for name in names:
        if any(part.startswith("_") for part in name.split(".")) or name.endswith("__main__"):
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield name, importlib.import_module(name)


def _signature(obj) -> list[inspect.Parameter]:
    try:
        params = list(inspect.signature(obj).parameters.values())
    except (TypeError, ValueError):
        return []
    if isinstance(obj, type) and [p.kind for p in params] == [inspect.Parameter.VAR_POSITIONAL,
                                                              inspect.Parameter.VAR_KEYWORD]:
        params = list(inspect.signature(obj.__init__).parameters.values())[1:]
    return [p for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


@functools.lru_cache(maxsize=None)
def public_physical_parameters() -> dict[str, tuple[Any, dict[str, Any]]]:
    """``{'module:qualname': (object, {parameter: unit})}`` over every module's ``__all__``."""
    out: dict[str, tuple[Any, dict[str, Any]]] = {}
    for _name, mod in _modules():
        for attr in getattr(mod, "__all__", ()):
            obj = getattr(mod, attr, None)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            home = getattr(obj, "__module__", "") or ""
            if not home.startswith("stp_brainpy"):
                continue
            key = f"{home}:{obj.__qualname__}"
            if key in out or any(home == m or home.startswith(m + ".") for m in _MODULE_EXEMPT):
                continue
            units = {}
            for p in _signature(obj):
                unit = EXTRA.get((key, p.name)) or vocab_unit(p.name)
                if unit is not None and (key, p.name) not in EXEMPT:
                    units[p.name] = unit
            if units:
                out[key] = (obj, units)
    return out


# ---------------------------------------------------------------- comparison of results
def _numbers(obj, depth=0) -> list:
    if depth > 6:
        return []
    if isinstance(obj, (str, bytes, type(None), bool)) or callable(obj) and not hasattr(obj, "shape"):
        return [obj] if isinstance(obj, (str, bool)) else []
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return [x for f in dataclasses.fields(obj) for x in _numbers(getattr(obj, f.name), depth + 1)]
    if isinstance(obj, dict):
        return [x for k in sorted(obj, key=str) for x in [k] + _numbers(obj[k], depth + 1)]
    if isinstance(obj, (list, tuple)):
        if obj and all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in obj):
            return [np.asarray(obj, float)]
        return [x for v in obj for x in _numbers(v, depth + 1)]
    try:
        arr = np.asarray(obj)
    except Exception:
        return []
    if arr.dtype == object or jnp.issubdtype(arr.dtype, jax.dtypes.prng_key):
        return []
    return [arr.astype(float) if arr.dtype.kind in "biuf" else arr]


def _same(a, b, rtol):
    na, nb = _numbers(a), _numbers(b)
    assert len(na) == len(nb), (na, nb)
    for x, y in zip(na, nb):
        if isinstance(x, np.ndarray) and x.dtype.kind == "f":
            np.testing.assert_allclose(np.asarray(y, float), x, rtol=rtol, atol=1e-12 if rtol else 0)
        else:
            assert np.all(np.asarray(x) == np.asarray(y)), (x, y)


# ---------------------------------------------------------------- Quantities of a unit
_UNIT = {"ms": u.ms, "mV": u.mV, "nS": u.nS, "pA": u.pA, "pF": u.pF, "Hz": u.Hz}
_SCALED = {"ms": (u.second, 1e-3), "mV": (u.volt, 1e-3), "nS": (u.uS, 1e-3), "pA": (u.nA, 1e-3),
           "pF": (u.nF, 1e-3), "Hz": (u.kHz, 1e-3)}
_WRONG = {"ms": u.mV, "mV": u.ms, "nS": u.mV, "pA": u.nS, "pF": u.ms, "Hz": u.mV}


def _as_quantity(value, unit, scaled):
    big, factor = _SCALED[unit] if scaled else (_UNIT[unit], 1.0)
    return _times(value, factor, big)


def _times(value, factor, big):
    if isinstance(value, tuple):
        return tuple(_times(v, factor, big) for v in value)
    if isinstance(value, dict):
        return {k: _times(v, factor, big) for k, v in value.items()}
    if isinstance(value, list):
        return np.asarray(value, float) * factor * big
    return (np.asarray(value, float) * factor if np.ndim(value) else float(value) * factor) * big


def _cases():
    found = public_physical_parameters()
    out = []
    for key, (_obj, units) in sorted(found.items()):
        for name, unit in sorted(units.items()):
            out.append(pytest.param(key, name, unit, id=f"{key.split(':')[1]}-{name}",
                                    marks=[pytest.mark.slow] if key in _SLOW else []))
    return out


_SLOW = {"stp_brainpy.fitting.crossval:cross_validate", "stp_brainpy.fitting.crossval:compare",
         "stp_brainpy.fitting.batch:fit_batch", "stp_brainpy.fitting.traces:fit_trace",
         "stp_brainpy.fitting.fit:fit", "stp_brainpy.core.cond_lif:cond_lif_stp_summary",
         "stp_brainpy.sweeps.models:cond_lif_stp"} | more._SLOW


def _call(key, recipe, name, value):
    obj = public_physical_parameters()[key][0]
    sig = inspect.signature(obj.__init__ if _is_varargs(obj) else obj)
    params = [p for p in sig.parameters.values() if p.name != "self"]
    names = [p.name for p in params]
    args, kwargs = list(recipe.args), dict(recipe.kwargs)
    if value is not _MISSING:
        idx = names.index(name)
        if idx < len(args) and params[idx].kind in (params[idx].POSITIONAL_ONLY, params[idx].POSITIONAL_OR_KEYWORD):
            args[idx] = value
        else:
            kwargs[name] = value
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return obj(*args, **kwargs)


def _is_varargs(obj):
    try:
        kinds = [p.kind for p in inspect.signature(obj).parameters.values()]
    except (TypeError, ValueError):
        return True
    return kinds == [inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD]


_MISSING = object()


def _bare_value(key, recipe, name):
    obj = public_physical_parameters()[key][0]
    sig = inspect.signature(obj.__init__ if _is_varargs(obj) else obj)
    params = [p for p in sig.parameters.values() if p.name != "self"]
    names = [p.name for p in params]
    idx = names.index(name)
    if idx < len(recipe.args):
        return recipe.args[idx]
    if name in recipe.kwargs:
        return recipe.kwargs[name]
    default = params[idx].default
    assert default is not inspect.Parameter.empty and default is not None, \
        f"the recipe of {key} must give a value for {name}"
    return default


# ---------------------------------------------------------------- the tests
def test_every_physical_parameter_has_a_recipe_or_a_reason():
    recipes = all_recipes()
    found = public_physical_parameters()
    missing = sorted(k for k in found if k not in recipes)
    assert not missing, ("public objects with a time/potential/conductance/current/rate parameter but no unit "
                         f"check here (give them units.accepts_units and a recipe, or an EXEMPT reason): {missing}")
    stale = sorted(k for k in recipes if k not in found)
    assert not stale, f"recipes of objects no longer public or without physical parameters: {stale}"
    assert all(reason for reason in EXEMPT.values()) and all(_MODULE_EXEMPT.values())


def test_a_new_public_function_without_units_is_caught(monkeypatch):
    """The guard itself: a public function with a time parameter and no recipe makes the check fail."""
    import stp_brainpy.analysis as mod

    def new_model(U, *, tau_x, dt=0.1):
        return U

    new_model.__module__, new_model.__qualname__ = mod.__name__, "new_model"
    monkeypatch.setattr(mod, "new_model", new_model, raising=False)
    monkeypatch.setattr(mod, "__all__", list(mod.__all__) + ["new_model"])
    public_physical_parameters.cache_clear()
    try:
        assert public_physical_parameters()["stp_brainpy.analysis:new_model"][1] == {"tau_x": "ms", "dt": "ms"}
        with pytest.raises(AssertionError, match="new_model"):
            test_every_physical_parameter_has_a_recipe_or_a_reason()
    finally:
        public_physical_parameters.cache_clear()


@pytest.mark.parametrize("key,name,unit", _cases())
def test_right_quantity_equals_bare_number_and_wrong_dimension_is_refused(x64, key, name, unit):
    recipe = all_recipes()[key]()
    recipe.kwargs.update(recipe.per.get(name, {}))
    several = not isinstance(unit, str)
    unit = recipe.units.get(name, unit)
    assert isinstance(unit, str), f"{key}: say which unit of {unit} to test {name} in (R(units=...))"
    bare = _bare_value(key, recipe, name)
    probe = recipe.probe or (lambda res, n: getattr(res, n) if hasattr(res, n) and not dataclasses.is_dataclass(
        res) else res)
    ref = probe(_call(key, recipe, name, _MISSING), name)
    same = probe(_call(key, recipe, name, _as_quantity(bare, unit, scaled=False)), name)
    _same(ref, same, rtol=1e-12)
    scaled = probe(_call(key, recipe, name, _as_quantity(bare, unit, scaled=True)), name)
    _same(ref, scaled, rtol=1e-9)
    bad = _times(bare, 1.0, u.ms if several else _WRONG[unit])  # a time is none of a weight's units
    with pytest.raises(UnitError, match=rf"^{re.escape(name)} must be"):
        _call(key, recipe, name, bad)


# ---------------------------------------------------------------- parameters passed by name (mappings, **kwargs)
def test_named_parameters_in_mappings_and_keywords(x64):
    """Parameters that travel by name (family ``params``, ``**kwargs`` of validate/STPModel/nest, sweep grids
    and ``static``, fit's ``fixed``/``bounds``) are converted by their vocabulary name too."""
    from stp_brainpy.core import family
    from stp_brainpy.network import STPModel
    from stp_brainpy import nest, sweeps

    params = dict(U=0.3, tau_f=50.0, tau_d=100.0, tau_psc=3.0)
    qparams = dict(U=0.3, tau_f=0.05 * u.second, tau_d=100.0 * u.ms, tau_psc=3000.0 * u.us)
    np.testing.assert_allclose(family.event_efficacies("tm3", np.array(TRAIN) * u.ms, qparams),
                               family.event_efficacies("tm3", TRAIN, params), rtol=1e-12)
    with pytest.raises(UnitError, match="^tau_d must be a time in ms"):
        family.event_efficacies("tm3", TRAIN, dict(params, tau_d=100.0 * u.mV))
    assert family.validate("tm", U=0.3, tau_f=0.05 * u.second, tau_d=100.0)["tau_f"] == pytest.approx(50.0)
    with pytest.raises(UnitError, match="^tau_f must be"):
        family.validate("tm", U=0.3, tau_f=5.0 * u.nS, tau_d=100.0)
    assert STPModel("tm", U=0.2, tau_f=1.5 * u.second, tau_d=200 * u.ms).params["tau_f"] == pytest.approx(1500.0)
    with pytest.raises(UnitError, match="^tau_d must be"):
        STPModel("tm", U=0.2, tau_f=1.5, tau_d=200 * u.mV)
    kw = dict(U=0.5, tau_rec=100.0, tau_fac=50.0, tau_psc=3.0)
    np.testing.assert_allclose(nest.efficacies("tsodyks_synapse", [10.0, 20.0], **dict(kw, tau_rec=0.1 * u.second)),
                               nest.efficacies("tsodyks_synapse", [10.0, 20.0], **kw), rtol=1e-12)
    with pytest.raises(UnitError, match="^tau_fac must be"):
        nest.efficacies("tsodyks_synapse", [10.0, 20.0], **dict(kw, tau_fac=50.0 * u.mV))

    g = sweeps.product(U=[0.1, 0.5], tau_d=np.array([0.1, 0.2]) * u.second)
    np.testing.assert_allclose(g.axes["tau_d"], [100.0, 200.0])
    assert sweeps.zipped(rate=[10.0, 20.0] * u.Hz).axes["rate"].tolist() == [10.0, 20.0]
    lo_hi = sweeps.random_samples(3, seed=1, tau_f=(0.01 * u.second, 0.02 * u.second)).axes["tau_f"]
    np.testing.assert_array_equal(lo_hi, sweeps.random_samples(3, seed=1, tau_f=(10.0, 20.0)).axes["tau_f"])
    with pytest.raises(UnitError, match="^tau_d must be"):
        sweeps.product(tau_d=[1.0, 2.0] * u.mV)
    from stp_brainpy.sweeps.models import stp_efficacy

    ds = sweeps.sweep(stp_efficacy, {"U": [0.2, 0.4]}, static={"tau_f": 0.05 * u.second, "tau_d": 100.0 * u.ms,
                                                              "rate": 0.02 * u.kHz, "n_spikes": 3})
    ref = sweeps.sweep(stp_efficacy, {"U": [0.2, 0.4]}, static={"tau_f": 50.0, "tau_d": 100.0, "rate": 20.0,
                                                                "n_spikes": 3})
    np.testing.assert_allclose(ds["efficacy"].values, ref["efficacy"].values, rtol=1e-12)
    with pytest.raises(UnitError, match="^rate must be a rate in Hz"):
        sweeps.sweep(stp_efficacy, {"U": [0.2]}, static={"tau_f": 50.0, "tau_d": 100.0, "rate": 2.0 * u.ms})


@pytest.mark.slow
def test_fit_fixed_and_bounds_take_quantities(x64):
    from stp_brainpy.fitting import fit

    times = {"a": np.arange(6) * 20.0}
    y = {"a": np.array([[1.0, 0.8, 0.7, 0.65, 0.6, 0.6]])}
    kw = dict(model="tm", n_starts=2, max_steps=5)
    ref = fit(times, y, fixed={"tau_f": 50.0}, bounds={"tau_d": (10.0, 1000.0)}, **kw)
    q = fit({"a": times["a"] * u.ms}, y, fixed={"tau_f": 0.05 * u.second},
            bounds={"tau_d": (0.01 * u.second, 1.0 * u.second)}, **kw)
    for k in ref.params:
        np.testing.assert_allclose(q.params[k], ref.params[k], rtol=1e-9)
    with pytest.raises(UnitError, match="^tau_f must be"):
        fit(times, y, fixed={"tau_f": 50.0 * u.mV}, **kw)
    with pytest.raises(UnitError, match="^tau_d must be"):
        fit(times, y, bounds={"tau_d": (10.0 * u.nS, 20.0 * u.nS)}, **kw)


# ---------------------------------------------------------------- jit: conversion stays outside compiled code
def test_traced_values_pass_through_and_quantities_convert_before_jit(x64):
    from stp_brainpy.core import stp

    f = jax.jit(lambda tf: stp.steady_state(0.3, tau_f=tf, tau_d=100.0, isi=20.0)[2])
    np.testing.assert_allclose(f(50.0), stp.steady_state(0.3, tau_f=0.05 * u.second, tau_d=100.0, isi=20.0)[2],
                               rtol=1e-12)
    g = jax.jit(lambda tf: stp.steady_state(0.3, tau_f=tf, tau_d=100.0, isi=20.0)[2])
    np.testing.assert_allclose(g(50.0 * u.ms), f(50.0), rtol=1e-12)  # a traced Quantity converts in the trace


def test_the_bare_number_path_costs_little():
    """The decorator's cost on bare numbers: one dict look-up per argument (~1 µs a call when the machine is
    idle). Timings on a shared machine are noisy, so only a pathological cost (e.g. importing brainunit or
    binding the signature on every call) fails: the best of several repeats against a plain forwarder."""
    import timeit

    from stp_brainpy.units import accepts_units

    def plain(a, b, *, tau_f, tau_d, dt=0.1):
        return a

    def forward(*args, **kwargs):
        return plain(*args, **kwargs)

    wrapped = accepts_units(tau_f="ms", tau_d="ms", dt="ms")(plain)
    n = 2000
    best = [min(timeit.repeat(lambda f=f: f(1.0, 2.0, tau_f=50.0, tau_d=100.0, dt=0.1), number=n, repeat=7)) / n
            for f in (forward, wrapped)]
    assert best[1] - best[0] < 50e-6, best
