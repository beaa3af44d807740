"""``stp-brainpy fit DATA.csv --model markram --loss equal --out DIR``: fit, errors, CV table, figures.

DATA.csv is tidy: one row per response with columns ``protocol, trial, spike, amplitude`` and the spike
time in ms (``time``; or ``isi`` with a leading 0; or ``--protocols P.json`` mapping name -> times). NaN or
an empty amplitude is a missing response. Written to DIR (existing files are refused unless
``--overwrite``): ``params.json`` (estimates, Laplace errors and correlations, flags, bootstrap),
``params.csv``, ``cv.csv`` (leave-one-protocol-out train/test MSE), ``fit.png`` (data mean ± SEM and the
model per protocol), ``residuals.png`` and ``profiles.png`` (profile likelihoods of the time constants).
"""
from __future__ import annotations

import argparse
import csv
import json
import math
from pathlib import Path

__all__ = ["add_parser", "run_fit", "OUTPUTS"]

OUTPUTS = ("params.json", "params.csv", "cv.csv", "fit.png", "residuals.png", "profiles.png")


def _pair(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE; got {text!r}")
    k, v = text.split("=", 1)
    return k.strip(), v.strip()


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("fit", help="fit an STP model to recorded response amplitudes (CSV)",
                              description=__doc__)
    p.add_argument("data", type=Path, help="tidy CSV: protocol, trial, spike, amplitude (+ time or isi)")
    p.add_argument("--model", default="markram", help="tm, markram or tm3 (default markram)")
    p.add_argument("--read", choices=("before", "after"), default=None,
                   help="markram: efficacy read before (srplasticity) or after the jump")
    p.add_argument("--loss", default="sse", help="sse, equal (mean of per-protocol MSE) or wls (default sse)")
    p.add_argument("--amplitude", default="free", help="free, first (normalised data) or a number (default free)")
    p.add_argument("--fix", type=_pair, action="append", default=[], metavar="NAME=VALUE", help="hold a parameter")
    p.add_argument("--bound", type=_pair, action="append", default=[], metavar="NAME=LOW:HIGH",
                   help="bounds of a parameter (default: time constants 1:5000 ms, U and f 1e-4:1)")
    p.add_argument("--protocols", type=Path, default=None, help="JSON: protocol name -> spike times (ms)")
    p.add_argument("--isi", action="store_true", help="the protocol times are ISIs with a leading 0")
    p.add_argument("--starts", type=int, default=64, help="multi-start design size (default 64)")
    p.add_argument("--seed", type=int, default=0, help="seed of the design and the bootstrap")
    p.add_argument("--bootstrap", type=int, default=200, help="bootstrap resamples over trials (0: none; default 200)")
    p.add_argument("--no-cv", dest="cv", action="store_false", help="skip leave-one-protocol-out cross-validation")
    p.add_argument("--out", required=True, type=Path, help="output directory")
    p.add_argument("--overwrite", action="store_true", help="replace existing outputs in --out")
    p.set_defaults(func=run_fit)
    return p


def _number(name: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{name} must be a number; got {text!r}") from None


def _settings(args):
    """Every user-facing check, before anything is computed or written."""
    from .data import load_csv
    from .losses import check_loss
    from .model import make_space

    out: Path = args.out
    if out.exists() and not out.is_dir():
        raise OSError(f"--out {str(out)!r} exists and is not a directory")
    existing = [str(out / f) for f in OUTPUTS if (out / f).exists()]
    if existing and not args.overwrite:
        raise OSError(f"refusing to overwrite {', '.join(existing)} (use --overwrite)")
    spike_times = None
    if args.protocols is not None:
        try:
            spike_times = json.loads(Path(args.protocols).read_text())
        except json.JSONDecodeError as exc:
            raise ValueError(f"--protocols {str(args.protocols)!r} is not valid JSON: {exc}") from None
        if not isinstance(spike_times, dict):
            raise ValueError("--protocols must hold a JSON object: protocol name -> list of spike times (ms)")
    ds = load_csv(args.data, spike_times, isi=args.isi)
    loss = check_loss(args.loss)
    amplitude = args.amplitude if args.amplitude in ("free", "first") else _number("--amplitude", args.amplitude)
    fixed = {k: _number(f"--fix {k}", v) for k, v in args.fix}
    bounds = {}
    for k, v in args.bound:
        if ":" not in v:
            raise ValueError(f"--bound {k} must be LOW:HIGH; got {v!r}")
        lo, hi = v.split(":", 1)
        bounds[k] = (_number(f"--bound {k} low", lo), _number(f"--bound {k} high", hi))
    options = {} if args.read is None else {"read": args.read}
    if args.read is not None and args.model != "markram":
        raise ValueError(f"--read applies to --model markram only; got --model {args.model}")
    make_space(args.model, amplitude, fixed, bounds, **options)
    from .fit import _check_int

    _check_int("--starts", args.starts, 1)
    _check_int("--seed", args.seed, 0)
    if args.bootstrap != 0:
        _check_int("--bootstrap", args.bootstrap, 2)
    return ds, dict(model=args.model, loss=loss, amplitude=amplitude, fixed=fixed, bounds=bounds,
                    n_starts=args.starts, seed=args.seed, **options)


def _finite(v):
    return v if isinstance(v, (int, float)) and math.isfinite(v) else None


def run_fit(args) -> int:
    ds, kw = _settings(args)
    import jax

    jax.config.update("jax_enable_x64", True)  # the fit's tolerances are float64 ones
    import numpy as np

    from .crossval import cross_validate
    from .fit import UNITS, fit

    r = fit(ds, **kw)
    boot = r.bootstrap(args.bootstrap, seed=args.seed) if args.bootstrap else None
    cv = cross_validate(ds, **kw) if args.cv and len(ds.protocols) > 1 else None
    taus = [n for n in r.space.free if n.startswith("tau")]
    profiles = {n: r.profile(n) for n in taus}
    ci = r.interval()
    report = dict(
        model=r.model, options={k: v for k, v in kw.items() if k == "read"}, loss_name=r.loss_name, loss=r.loss,
        n_observations=r.n_observations, sse=r.sse, aic=r.aic, bic=r.bic, params=r.params,
        stderr={k: _finite(v) for k, v in r.stderr.items()},
        interval_laplace={k: [_finite(a), _finite(b)] for k, (a, b) in ci.items()},
        interval_profile={k: list(p["interval"]) for k, p in profiles.items()},
        correlation={a: {b: _finite(float(r.corr[i, j])) for j, b in enumerate(r.names)} for i, a in enumerate(r.names)},
        converged=r.converged, n_converged=r.n_converged, n_starts=r.n_starts,
        optima=[dict(loss=o["loss"], count=o["count"], params=o["params"]) for o in r.optima[:10]],
        at_bounds=r.at_bounds, non_identifiable=r.non_identifiable, weakly_identified=r.weakly_identified,
        fixed=r.fixed, bounds=dict(zip(r.space.free, map(list, r.space.bounds))),
        bootstrap=None if boot is None else dict(n=args.bootstrap, converged=boot["converged"],
                                                 stderr={k: float(v) for k, v in boot["stderr"].items()},
                                                 interval={k: [float(a), float(b)] for k, (a, b) in boot["interval"].items()}),
        cv=None if cv is None else dict(mean_test_mse=cv["cv"], protocols=list(cv["protocols"]),
                                        test_mse=cv["test_mse"].tolist(), train_mse=cv["train_mse"].tolist()),
    )
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    (out / "params.json").write_text(json.dumps(report, indent=2, default=float) + "\n")
    with open(out / "params.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["name", "estimate", "stderr", "ci_low", "ci_high", "boot_stderr", "units", "fixed"])
        for k, v in r.params.items():
            lo, hi = ci.get(k, (v, v))
            bse = boot["stderr"].get(k, "") if boot else ""
            w.writerow([k, repr(v), repr(r.stderr[k]), repr(lo), repr(hi), bse,
                        UNITS.get(k, "ms" if k.startswith("tau") else "1"), int(k in r.fixed)])
    with open(out / "cv.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["protocol", "train_mse", "test_mse"])
        if cv is not None:
            for p, tr, te in zip(cv["protocols"], cv["train_mse"], cv["test_mse"]):
                w.writerow([p, repr(float(tr)), repr(float(te))])
    _figures(out, r, profiles, np)
    print(r.summary())
    print(f"wrote {', '.join(OUTPUTS)} to {out}")
    return 0


def _figures(out: Path, r, profiles, np) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ds = r.dataset
    mean, sem = ds.mean_sem()
    pred = r.predict()
    P = len(ds.protocols)
    cols = min(P, 4)
    rows = math.ceil(P / cols)
    for name, resid in (("fit.png", False), ("residuals.png", True)):
        fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.6 * rows), squeeze=False)
        for i, p in enumerate(ds.protocols):
            ax = axes[i // cols][i % cols]
            n = ds.n_spikes[i]
            k = np.arange(1, n + 1)
            if resid:
                ax.axhline(0, color="0.6", lw=0.8)
                ax.errorbar(k, mean[i, :n] - pred[p], sem[i, :n], fmt="o", ms=3, color="k")
                ax.set_ylabel("data - model")
            else:
                ax.errorbar(k, mean[i, :n], sem[i, :n], fmt="o", ms=3, color="k", label="data mean ± SEM")
                ax.plot(k, pred[p], "-", color="tab:red", label=f"{r.model} fit")
                ax.set_ylabel("amplitude")
            ax.set_title(p, fontsize=9)
            ax.set_xlabel("spike")
        for j in range(P, rows * cols):
            axes[j // cols][j % cols].axis("off")
        if not resid:
            axes[0][0].legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(out / name, dpi=110)
        plt.close(fig)
    fig, axes = plt.subplots(1, max(len(profiles), 1), figsize=(3.4 * max(len(profiles), 1), 2.8), squeeze=False)
    for ax, (n, p) in zip(axes[0], profiles.items()):
        ax.plot(p["values"], p["deviance"], ".-", color="tab:blue")
        ax.axhline(p["critical"], color="0.5", ls="--", lw=0.8)
        ax.set_xscale("log")
        ax.set_ylim(0, max(4 * p["critical"], 1))
        ax.set_xlabel(f"{n} (ms)")
        ax.set_ylabel("profile deviance")
    if not profiles:
        axes[0][0].text(0.5, 0.5, "no free time constant", ha="center")
    fig.tight_layout()
    fig.savefig(out / "profiles.png", dpi=110)
    plt.close(fig)
