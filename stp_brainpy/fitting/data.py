"""Recorded responses to stimulation protocols: checked, padded arrays and the loaders.

A :class:`Dataset` holds, for each protocol (a named presynaptic spike train), the spike times in ms
and the evoked amplitudes as ``trials × spikes`` with NaN for missing values, plus an optional per-spike
noise σ (same units as the amplitudes). Protocols of unequal length are padded: spike times with
``inf`` (the family's efficacy is 0 there), responses with NaN.

Protocols can be given as spike times (``{'20Hz': [0, 50, 100, ...]}``) or, as srplasticity stores them,
as inter-spike intervals with a leading 0 (:func:`times_from_isi`, or ``isi=True``).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from ..units import accepts_units
__all__ = ["Dataset", "make_dataset", "times_from_isi", "load_csv", "from_xarray", "CSV_COLUMNS"]

CSV_COLUMNS = ("protocol", "trial", "spike", "amplitude")


def _numeric(name: str, value: Any) -> np.ndarray:
    if value is None or isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be numbers; got {type(value).__name__}")
    arr = np.asarray(value)
    if arr.dtype == object or arr.dtype.kind in "USV" or np.iscomplexobj(arr) or arr.dtype.kind == "b":
        raise TypeError(f"{name} must be real numbers; got dtype {arr.dtype}")
    return arr.astype(float)


@accepts_units(isi="ms")
def times_from_isi(isi: Sequence[float], name: str = "isi") -> np.ndarray:
    """Spike times (ms) from inter-spike intervals with a leading 0 (srplasticity's protocol format).

    >>> times_from_isi([0, 50, 50]).tolist()
    [0.0, 50.0, 100.0]
    """
    arr = _numeric(name, isi)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D vector of intervals; got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite; got {arr[~np.isfinite(arr)][:3].tolist()}")
    if arr[0] < 0 or np.any(arr[1:] <= 0):
        raise ValueError(f"{name} must start with a time >= 0 (usually 0) followed by intervals > 0 ms; got {arr.tolist()}")
    return np.cumsum(arr)


def _check_times(name: str, t: np.ndarray) -> np.ndarray:
    if t.ndim != 1 or t.size == 0:
        raise ValueError(f"spike times of protocol {name!r} must be a non-empty 1-D array (ms); got shape {t.shape}")
    if not np.all(np.isfinite(t)):
        raise ValueError(f"spike times of protocol {name!r} must be finite; got {t[~np.isfinite(t)][:3].tolist()}")
    if np.any(t < 0):
        raise ValueError(f"spike times of protocol {name!r} must be >= 0 ms; got {t[t < 0][:3].tolist()}")
    if np.any(np.diff(t) <= 0):
        raise ValueError(f"spike times of protocol {name!r} must be strictly increasing; got {t.tolist()}")
    return t


@accepts_units(times="ms")
@dataclass(frozen=True, eq=False)
class Dataset:
    """Checked, padded responses: ``times`` (P, S) ms (inf padded), ``responses`` (P, T, S) (NaN padded).

    ``sigma`` (P, S) is the optional per-spike noise σ used by the ``'wls'`` loss.
    """

    protocols: tuple[str, ...]
    times: np.ndarray
    responses: np.ndarray
    n_spikes: tuple[int, ...]
    n_trials: tuple[int, ...]
    sigma: np.ndarray | None = None

    @property
    def n_observations(self) -> int:
        return int(np.isfinite(self.responses).sum())

    def spike_times(self) -> dict[str, np.ndarray]:
        return {p: self.times[i, :n].copy() for i, (p, n) in enumerate(zip(self.protocols, self.n_spikes))}

    def stats(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per (protocol, spike): number of observations, mean, and sum of squared deviations from the mean."""
        obs = np.isfinite(self.responses)
        n = obs.sum(axis=1).astype(float)
        y = np.where(obs, self.responses, 0.0)
        mean = np.divide(y.sum(axis=1), n, out=np.zeros_like(n), where=n > 0)
        ss = np.where(obs, (y - mean[:, None, :]) ** 2, 0.0).sum(axis=1)
        return n, mean, ss

    def mean_sem(self) -> tuple[np.ndarray, np.ndarray]:
        """Trial mean and its standard error per (protocol, spike) (NaN where undefined)."""
        n, mean, ss = self.stats()
        with np.errstate(invalid="ignore", divide="ignore"):
            sem = np.sqrt(ss / np.maximum(n - 1, 1) / n)
        mean = np.where(n > 0, mean, np.nan)
        sem[n < 2] = np.nan
        return mean, sem

    def to_xarray(self):
        """The responses as an ``xarray.DataArray`` (protocol, trial, spike) with a ``time`` coordinate."""
        import xarray as xr

        da = xr.DataArray(self.responses, dims=("protocol", "trial", "spike"),
                          coords={"protocol": list(self.protocols), "time": (("protocol", "spike"), self.times)},
                          name="amplitude", attrs={"long_name": "evoked response amplitude", "units": "response units"})
        da["time"].attrs.update(units="ms", long_name="presynaptic spike time")
        da["protocol"].attrs["long_name"] = "stimulation protocol"
        return da


@accepts_units(spike_times="ms")
def make_dataset(spike_times: Mapping[str, Any] | Sequence[Any] | Dataset, responses: Mapping[str, Any] | Sequence[Any] | None = None,
                 sigma: Mapping[str, Any] | Sequence[Any] | float | None = None, *, isi: bool = False) -> Dataset:
    """Check and pad protocols and responses into a :class:`Dataset`.

    Args:
      spike_times: protocol name -> spike times in ms (or ISIs with a leading 0 when ``isi=True``);
        a sequence is named ``p0, p1, ...``. A :class:`Dataset` is returned unchanged (``responses`` None).
      responses: protocol name -> amplitudes, ``trials × spikes`` (a 1-D array is one trial); NaN = missing.
      sigma: optional per-spike noise σ > 0: a number, or per protocol a number or a vector over spikes.
      isi: interpret ``spike_times`` as intervals with a leading 0 (srplasticity's format).

    Raises:
      TypeError / ValueError naming the protocol: unsorted, negative or non-finite times; responses whose
      spike count differs from the protocol's; protocols with no observation; unknown or missing protocol names.
    """
    if isinstance(spike_times, Dataset):
        if responses is not None:
            raise TypeError("give either a Dataset or spike_times and responses, not both")
        return spike_times
    if responses is None:
        raise TypeError("responses is required (protocol name -> trials × spikes array)")

    def named(obj, what):
        if isinstance(obj, Mapping):
            return {str(k): v for k, v in obj.items()}
        if isinstance(obj, (str, bytes)) or not isinstance(obj, Sequence) and not isinstance(obj, np.ndarray):
            raise TypeError(f"{what} must be a mapping protocol name -> array or a sequence of arrays; got {type(obj).__name__}")
        return {f"p{i}": v for i, v in enumerate(obj)}

    times = named(spike_times, "spike_times")
    resp = named(responses, "responses")
    if not times:
        raise ValueError("spike_times must contain at least one protocol")
    missing, unknown = sorted(set(times) - set(resp)), sorted(set(resp) - set(times))
    if missing or unknown:
        raise ValueError(f"protocols of responses and spike_times differ: no responses for {missing}, no spike times for {unknown}")
    names = tuple(times)
    tlist, ylist = [], []
    for name in names:
        t = times_from_isi(times[name], f"ISIs of protocol {name!r}") if isi else _numeric(f"spike times of protocol {name!r}", times[name])
        t = _check_times(name, t)
        y = _numeric(f"responses of protocol {name!r}", resp[name])
        if y.ndim == 1:
            y = y[None, :]
        if y.ndim != 2:
            raise ValueError(f"responses of protocol {name!r} must be trials × spikes (2-D); got shape {y.shape}")
        if y.shape[1] != t.size:
            raise ValueError(f"responses of protocol {name!r} have {y.shape[1]} spikes per trial but the protocol has {t.size} spikes")
        if np.any(np.isinf(y)):
            raise ValueError(f"responses of protocol {name!r} must be finite or NaN (missing); got inf")
        if y.shape[0] == 0 or not np.any(np.isfinite(y)):
            raise ValueError(f"responses of protocol {name!r} are all missing (NaN); drop the protocol or give data")
        tlist.append(t)
        ylist.append(y)
    P, S, T = len(names), max(t.size for t in tlist), max(y.shape[0] for y in ylist)
    tt = np.full((P, S), np.inf)
    yy = np.full((P, T, S), np.nan)
    for i, (t, y) in enumerate(zip(tlist, ylist)):
        tt[i, :t.size] = t
        yy[i, :y.shape[0], :t.size] = y
    sig = None
    if sigma is not None:
        sig = np.full((P, S), np.nan)
        smap = sigma if isinstance(sigma, Mapping) else (dict(zip(names, sigma)) if isinstance(sigma, (list, tuple)) else {n: sigma for n in names})
        for i, name in enumerate(names):
            if name not in smap:
                raise ValueError(f"sigma has no entry for protocol {name!r}")
            s = _numeric(f"sigma of protocol {name!r}", smap[name])
            s = np.broadcast_to(s, (tlist[i].size,)) if s.ndim <= 1 and s.size in (1, tlist[i].size) else None
            if s is None:
                raise ValueError(f"sigma of protocol {name!r} must be a number or one value per spike ({tlist[i].size})")
            if not np.all(np.isfinite(s)) or np.any(s <= 0):
                raise ValueError(f"sigma of protocol {name!r} must lie in (0, inf); got {s.tolist()}")
            sig[i, :tlist[i].size] = s
    return Dataset(names, tt, yy, tuple(t.size for t in tlist), tuple(y.shape[0] for y in ylist), sig)


@accepts_units(spike_times="ms")
def load_csv(path: str | Path, spike_times: Mapping[str, Any] | None = None, *, isi: bool = False) -> Dataset:
    """Read a tidy CSV with columns ``protocol, trial, spike, amplitude`` (one row per response).

    Spike times come from a ``time`` column (ms; an ``isi`` column with a leading 0 also works) or from the
    ``spike_times`` mapping. ``spike`` indexes spikes within the protocol (any integers, sorted); ``trial``
    labels trials. An optional ``sigma`` column gives the per-spike noise σ (one value per protocol and spike).
    """
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise OSError(f"data file {str(path)!r} does not exist")
    try:
        df = pd.read_csv(path)
    except Exception as exc:  # pandas raises several parser errors
        raise ValueError(f"cannot read {str(path)!r} as CSV: {exc}") from None
    df.columns = [str(c).strip().lower() for c in df.columns]
    missing = [c for c in CSV_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"{path.name} lacks the columns {missing}; needed: {list(CSV_COLUMNS)} (+ 'time' or 'isi')")
    if df.empty:
        raise ValueError(f"{path.name} has no rows")
    df["protocol"] = df["protocol"].astype(str)
    for col in ("trial", "spike", "amplitude") + tuple(c for c in ("time", "isi", "sigma") if c in df.columns):
        vals = pd.to_numeric(df[col], errors="coerce")
        bad = vals.isna() & (df[col].notna() if col == "amplitude" else True)
        if bad.any():
            raise ValueError(f"column {col!r} of {path.name} must be numbers; got {df[col][bad].iloc[0]!r}")
        df[col] = vals
    if not np.all(df["spike"] == np.round(df["spike"])):
        raise ValueError(f"column 'spike' of {path.name} must hold integer spike indices")
    dup = df.duplicated(["protocol", "trial", "spike"])
    if dup.any():
        r = df[dup].iloc[0]
        raise ValueError(f"{path.name} has several rows for protocol {r['protocol']!r}, trial {r['trial']:g}, spike {r['spike']:g}")
    names = list(dict.fromkeys(df["protocol"]))
    times, resp, sig = {}, {}, {}
    for name in names:
        d = df[df["protocol"] == name]
        spikes = np.sort(d["spike"].unique())
        trials = list(dict.fromkeys(d["trial"]))
        y = np.full((len(trials), spikes.size), np.nan)
        ti = {t: i for i, t in enumerate(trials)}
        si = {s: i for i, s in enumerate(spikes)}
        y[[ti[t] for t in d["trial"]], [si[s] for s in d["spike"]]] = d["amplitude"].to_numpy(float)
        resp[name] = y
        for col in ("time", "isi", "sigma"):
            if col in d.columns:
                per = d.groupby("spike")[col].agg(["min", "max"]).reindex(spikes)
                if np.any(per["min"] != per["max"]):
                    raise ValueError(f"column {col!r} of {path.name} differs between trials of protocol {name!r}")
                if col == "sigma":
                    sig[name] = per["min"].to_numpy(float)
                elif spike_times is None:
                    v = per["min"].to_numpy(float)
                    times[name] = times_from_isi(v, f"ISIs of protocol {name!r}") if (col == "isi" or isi) else v
        if spike_times is None and name not in times:
            raise ValueError(f"{path.name} has no 'time' or 'isi' column; give spike_times (protocol -> times in ms)")
    if spike_times is not None:
        st = dict(spike_times)
        times = {n: st[n] for n in names if n in st}
        if len(times) != len(names):
            raise ValueError(f"spike_times lacks the protocols {sorted(set(names) - set(times))} of {path.name}")
        isi_flag = isi
    else:
        isi_flag = False
    return make_dataset(times, resp, sig or None, isi=isi_flag)


@accepts_units(spike_times="ms")
def from_xarray(obj, spike_times: Mapping[str, Any] | None = None, *, var: str = "amplitude", isi: bool = False) -> Dataset:
    """A :class:`Dataset` from an ``xarray.DataArray`` (dims protocol, trial, spike) or a Dataset holding ``var``.

    Spike times come from a ``time`` coordinate (protocol, spike) or from ``spike_times``; NaN = missing.
    """
    import xarray as xr

    da = obj[var] if isinstance(obj, xr.Dataset) else obj
    if not isinstance(da, xr.DataArray):
        raise TypeError(f"expected an xarray DataArray or Dataset; got {type(obj).__name__}")
    need = {"protocol", "trial", "spike"}
    if set(da.dims) != need:
        raise ValueError(f"the responses must have dims {sorted(need)}; got {list(da.dims)}")
    da = da.transpose("protocol", "trial", "spike")
    names = [str(p) for p in (da["protocol"].values if "protocol" in da.coords else range(da.sizes["protocol"]))]
    times, resp = {}, {}
    for i, name in enumerate(names):
        y = np.asarray(da.values[i], dtype=float)
        if spike_times is None:
            if "time" not in da.coords:
                raise ValueError("the responses have no 'time' coordinate; give spike_times (protocol -> times in ms)")
            t = np.asarray(da["time"].transpose(..., "spike").values, dtype=float)
            t = t[i] if t.ndim == 2 else t
            keep = np.isfinite(t)
            times[name], resp[name] = t[keep], y[:, keep]
        else:
            times[name] = spike_times[name] if name in spike_times else None
            n = np.asarray(times[name] if times[name] is not None else []).size
            resp[name] = y[:, :n]
        if times[name] is None:
            raise ValueError(f"spike_times lacks protocol {name!r}")
    return make_dataset(times, resp, isi=isi and spike_times is not None)
