"""What ``stp-brainpy network`` and ``stp-brainpy wm`` write besides figures: spikes and recorded traces as
netCDF (xarray) with CF attributes and the run's metadata, and the progress bar of their runs.

``spikes.nc`` (:func:`spikes_dataset`): one entry per recorded spike, in time order — ``spike_time`` (ms),
``spike_neuron`` (index within its population), ``spike_population`` (index into the ``population``
coordinate) — and per population its ``size``, ``first`` global index, the recorded range
``[recorded_start, recorded_stop)``, ``n_spikes`` and ``rate`` (every neuron, recorded or not) and, where the
whole population is recorded, ``cv_isi`` (:func:`stp_brainpy.network.stats.population_stats`; NaN elsewhere).

``traces.nc`` (:func:`traces_dataset`): ``rate`` (Hz, per population, in ``bin_ms`` bins), ``block_rate`` (per
recorded block), ``u_mean``/``x_mean`` (population means of every recorded STP group and block, sampled
every ``Record.every`` steps), ``V`` (mV, the sampled neurons).

Both carry :func:`run_attrs`: model, seed, ``dt_ms``, ``duration_ms``, the delivery backend that ran
(``native`` or ``xla``: ``auto`` resolved as :mod:`stp_brainpy.network.events` resolves it) and the package
version.
"""
from __future__ import annotations

import contextlib
import datetime
import sys
from typing import Iterator

import numpy as np

from .chunked import DEFAULT_CHUNKS
from .description import Network
from .stats import STATS_ATTRS, population_stats

__all__ = ["delivery_backend", "run_attrs", "spikes_dataset", "traces_dataset", "progress_bar", "write_netcdf",
           "SPIKES", "TRACES"]

SPIKES, TRACES = "spikes.nc", "traces.nc"


def delivery_backend(backend: str) -> str:
    """The delivery that runs for ``backend`` in this process: ``'native'`` (the CPU kernel) or ``'xla'``."""
    import jax

    from .events import BACKENDS, native_available

    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}; got {backend!r}")
    if backend == "xla":
        return "xla"
    if backend == "native":
        return "native"
    return "native" if jax.default_backend() == "cpu" and native_available() else "xla"


def run_attrs(model: str, net: Network, backend: str, dtype=None, **extra) -> dict:
    """Global attributes of an output file (netCDF-safe: strings and numbers; booleans as 0/1)."""
    import jax

    from .. import __version__

    attrs = {"Conventions": "CF-1.8", "title": model, "model": model, "seed": int(net.seed), "dt_ms": float(net.dt),
             "duration_ms": float(net.duration), "n_steps": int(net.n_steps), "delivery_backend": delivery_backend(backend),
             "delivery_backend_requested": backend, "source": f"stp_brainpy {__version__}",
             "package_version": __version__, "jax_version": jax.__version__,
             "device": str(jax.devices()[0]), "dtype": str(np.dtype(dtype).name) if dtype is not None else "",
             "history": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") + " created"}
    for k, v in extra.items():
        attrs[k] = int(v) if isinstance(v, (bool, np.bool_)) else ("" if v is None else v)
    return attrs


def _recorded_ranges(net: Network) -> dict:
    out = {}
    for s in net.record.spikes:
        name, a, b = (s, 0, net.by_name[s].size) if isinstance(s, str) else tuple(s)
        out[name] = (int(a), int(b))
    return out


def spikes_dataset(net: Network, res: dict, attrs: dict):
    """``spikes.nc`` of a :class:`~stp_brainpy.network.compile_fused.FusedNetwork` result (see the module)."""
    import xarray as xr

    names = [p.name for p in net.populations]
    first = np.asarray([net.offsets[n] for n in names], np.int64)
    sizes = np.asarray([p.size for p in net.populations], np.int64)
    steps = np.asarray(res.get("spike_steps", np.zeros(0, np.int64)))
    gid = np.asarray(res.get("spike_neurons", np.zeros(0, np.int64)), np.int64)
    order = np.lexsort((gid, steps))
    steps, gid = steps[order], gid[order]
    pop = np.searchsorted(first, gid, side="right") - 1
    times = steps * float(net.dt)
    ranges = _recorded_ranges(net)
    start = np.asarray([ranges.get(n, (0, 0))[0] for n in names], np.int64)
    stop = np.asarray([ranges.get(n, (0, 0))[1] for n in names], np.int64)
    counts = np.asarray(res["counts"], np.int64)
    n_spikes = np.asarray([counts[a:a + n].sum() for a, n in zip(first, sizes)], np.int64)
    whole = [(n, int(a), int(s)) for n, a, s, r0, r1 in zip(names, first, sizes, start, stop) if s and r0 == 0 and r1 == s]
    cv = np.full(len(names), np.nan)
    n_cv = np.zeros(len(names), np.int64)
    if whole:
        st = population_stats(gid, times, whole, net.duration, net.dt)
        for k, n in enumerate(names):
            if n in st.population.values:
                cv[k], n_cv[k] = float(st.cv_isi.sel(population=n)), int(st.n_cv_neurons.sel(population=n))
    dropped = int(np.sum(res.get("spike_overflow", 0)))
    one = {"units": "1"}
    ds = xr.Dataset(
        {"spike_time": ("spike", times, {"units": "ms", "long_name": "spike time (start of the step it was emitted in)"}),
         "spike_neuron": ("spike", (gid - first[pop]).astype(np.int32) if gid.size else gid.astype(np.int32),
                          {**one, "long_name": "neuron index within its population"}),
         "spike_population": ("spike", pop.astype(np.int16), {**one, "long_name": "population of the spike (index)",
                                                              "flag_values": np.arange(len(names), dtype=np.int16),
                                                              "flag_meanings": " ".join(names)}),
         "size": ("population", sizes, dict(STATS_ATTRS["size"])),
         "first": ("population", first, {**one, "long_name": "global index of the population's first neuron"}),
         "recorded_start": ("population", start, {**one, "long_name": "first neuron whose spikes are listed"}),
         "recorded_stop": ("population", stop, {**one, "long_name": "one past the last neuron whose spikes are listed"}),
         "n_spikes": ("population", n_spikes, {**one, "long_name": "spikes emitted by the population (all neurons)"}),
         "rate": ("population", _per_neuron(n_spikes, sizes) / (net.duration / 1000.0), dict(STATS_ATTRS["rate"])),
         "cv_isi": ("population", cv, {**STATS_ATTRS["cv_isi"], "comment": "NaN where not every neuron is recorded"}),
         "n_cv_neurons": ("population", n_cv, dict(STATS_ATTRS["n_cv_neurons"]))},
        coords={"population": ("population", names, {"long_name": "population name"})},
        attrs={**attrs, "spikes_dropped": dropped,
               "spikes_dropped_comment": "spikes beyond the per-step buffer (Record.max_spikes), not listed"})
    return ds


def _per_neuron(total, sizes):
    """``total / sizes``, NaN for an empty population."""
    total, sizes = np.asarray(total, float), np.asarray(sizes, float)
    return np.divide(total, sizes, out=np.full(np.broadcast(total, sizes).shape, np.nan), where=sizes > 0)


def _label(net: Network, pre: str, projections) -> str:
    return ",".join(f"{net.projections[k].pre}->{net.projections[k].post}" for k in projections) or pre


def traces_dataset(net: Network, res: dict, attrs: dict, bin_ms: float = 1.0):
    """``traces.nc`` of a :class:`~stp_brainpy.network.compile_fused.FusedNetwork` result (see the module)."""
    import xarray as xr

    dt = float(net.dt)
    per_bin = max(1, int(round(bin_ms / dt)))
    bin_ms = per_bin * dt
    names = [p.name for p in net.populations]
    sizes = np.asarray([p.size for p in net.populations], float)

    def binned(counts, n):
        counts = np.asarray(counts, float).reshape(counts.shape[0], -1)
        nb = counts.shape[0] // per_bin
        return _per_neuron(counts[:nb * per_bin].reshape(nb, per_bin, -1).sum(1), n) / (bin_ms / 1000.0)

    rate = binned(res["pop_count"], sizes)
    tb = (np.arange(rate.shape[0]) + 0.5) * bin_ms
    data = {"rate": (("time", "population"), rate, {"units": "Hz", "long_name": f"population rate in {bin_ms:g}-ms bins"})}
    coords = {"time": ("time", tb, {"units": "ms", "long_name": "centre of the rate bin", "axis": "T"}),
              "population": ("population", names, {"long_name": "population name"})}
    blocks = list(net.record.blocks)
    if blocks and "block_count" in res:
        bsize = np.asarray([b[3] - b[2] for b in blocks], float)
        data["block_rate"] = (("time", "block"), binned(res["block_count"], bsize),
                              {"units": "Hz", "long_name": f"rate of the recorded neuron block in {bin_ms:g}-ms bins"})
        coords["block"] = ("block", [b[0] for b in blocks], {"long_name": "recorded neuron block"})
        data["block_size"] = ("block", bsize.astype(np.int64), {"units": "1", "long_name": "neurons in the block"})
    every_ms = net.record.every * dt
    n_samples = None
    ux_parts, ux_labels = [], []
    if "stp_mean" in res:
        ux_parts.append(np.asarray(res["stp_mean"]))
        ux_labels += [_label(net, pre, pr) for pre, pr in res["stp_groups"]]
    if res.get("block_stp_labels"):
        ux_parts.append(np.asarray(res["block_stp_mean"]))
        ux_labels += list(res["block_stp_labels"])
    if ux_parts:
        ux = np.concatenate(ux_parts, axis=1).astype(np.float64)
        n_samples = ux.shape[0]
        data["u_mean"] = (("sample_time", "synapses"), ux[..., 0], {"units": "1", "long_name": "mean utilisation u"})
        data["x_mean"] = (("sample_time", "synapses"), ux[..., 1], {"units": "1", "long_name": "mean available resources x"})
        coords["synapses"] = ("synapses", ux_labels, {"long_name": "STP synapse group (projections) or source block"})
    if "V" in res:
        V = np.asarray(res["V"], np.float64)
        n_samples = V.shape[0]
        gid = np.asarray(res["V_neurons"], np.int64)
        first = np.asarray([net.offsets[n] for n in names], np.int64)
        pop = np.searchsorted(first, gid, side="right") - 1
        data["V"] = (("sample_time", "v_neuron"), V, {"units": "mV", "long_name": "membrane potential"})
        coords["v_population"] = ("v_neuron", [names[k] for k in pop], {"long_name": "population of the sampled neuron"})
        coords["v_index"] = ("v_neuron", (gid - first[pop]).astype(np.int64),
                             {"units": "1", "long_name": "index of the sampled neuron within its population"})
    if n_samples is not None:
        coords["sample_time"] = ("sample_time", (np.arange(n_samples) + 1) * every_ms,
                                 {"units": "ms", "long_name": "time of the sample (end of its step)"})
    return xr.Dataset(data, coords=coords, attrs={**attrs, "rate_bin_ms": bin_ms, "sample_every_ms": every_ms})


@contextlib.contextmanager
def progress_bar(net: Network, desc: str, enabled: bool = True, chunks: int = DEFAULT_CHUNKS) -> Iterator[dict]:
    """Keywords for :meth:`FusedNetwork.run <stp_brainpy.network.compile_fused.FusedNetwork.run>`: with a
    tqdm bar in simulated ms on stderr, the scan in ``chunks`` pieces; ``{}`` (one scan) when ``enabled`` is
    false or stderr is not a terminal. The spikes are the same either way."""
    if not enabled or not sys.stderr.isatty():
        yield {}
        return
    from tqdm.auto import tqdm

    total = int(round(net.duration))
    with tqdm(total=total, unit="ms", desc=desc, dynamic_ncols=True, file=sys.stderr) as bar:
        def advance(done: int, n: int) -> None:
            bar.update(int(round(total * done / n)) - bar.n)

        yield {"chunk": max(1, -(-net.n_steps // chunks)), "progress": advance}


def write_netcdf(ds, path, overwrite: bool = False) -> None:
    """Write ``ds`` atomically (a temporary file renamed); refuses an existing file unless ``overwrite``."""
    from ..replays.plotting import check_targets
    from ..sweeps.storefiles import atomic_to_netcdf

    (path,) = check_targets([path], overwrite)
    atomic_to_netcdf(ds, path)
