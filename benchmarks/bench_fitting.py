"""Fitting benchmark: a typical experiment against srplasticity-style brute force and scipy, then many synapses.

    python benchmarks/bench_fitting.py                  # full sizes
    python benchmarks/bench_fitting.py --quick          # small sizes (seconds)

1. One experiment the size of srplasticity's data (7 protocols × 180–490 trials × 6–10 spikes), the
   ``markram`` model with ``read='before'`` and ``amplitude='first'`` (srplasticity's TsodyksMarkramModel
   with amp = 1/U), loss ``'equal'``, noisy normalised responses:
   - ours: ``fit`` with 64 Sobol starts (+ Laplace errors) and a 200-resample bootstrap over trials;
   - srplasticity-style brute force: the same loss on a 20 × 20 × 50 × 50 grid (U, f, tau_f, tau_d; 1e6
     points), vectorised NumPy (far faster than ``scipy.optimize.brute``'s point-by-point Python calls,
     which srplasticity uses; so the ratio below is a lower bound);
   - scipy L-BFGS-B from the same 64 starts (finite-difference gradients, NumPy model, same loss).
   The three optima are compared on the same loss; times are wall-clock, ours split into compile (first
   call minus steady state) and steady state.
2. ``fit_batch`` on N synthetic synapses (default 10,000; 7 protocols × 20 trials) in one call: compile and
   steady state, synapses per second, and how many recovered the truth.

Numbers measured while other work loads the machine are noisy; the ratios within one run are comparable.
Each section writes its table to ``benchmarks/results/fitting-{experiment,batch}-<machine>.json``
(``benchmarks/_results.py``: machine, load, versions, date, this command; ``--no-write`` prints only).
The NumPy model below is an independent transcription of srplasticity's TM recursion (GUIDE §7), used only
as the baselines' model.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
from _results import add_write_options, machine_tag, write_results

TRUE = dict(U=0.25, f=0.3, tau_f=120.0, tau_d=350.0)
PROTOCOLS = {
    "10Hz": [0] + [100.0] * 9, "20Hz": [0] + [50.0] * 9, "50Hz": [0] + [20.0] * 9, "100Hz": [0] + [10.0] * 9,
    "burst": [0, 6, 90.9, 12.5, 25.6, 9], "invivo": [0, 31.2, 8.4, 120.0, 14.1, 60.2, 5.5],
    "pairs": [0, 10, 200, 10, 400, 10, 800, 10],
}


def times(isi):
    return np.cumsum(np.asarray(isi, float))


def np_markram(t, U, f, tau_f, tau_d):
    """Normalised efficacies u⁻r⁻/U of every spike (broadcast over parameter arrays): srplasticity's model."""
    U, f, tau_f, tau_d = np.broadcast_arrays(*(np.asarray(a, float) for a in (U, f, tau_f, tau_d)))
    u, r, out = U.copy(), np.ones_like(U), []
    for i, ti in enumerate(t):
        if i:
            d = ti - t[i - 1]
            r = 1 - (1 - r * (1 - u)) * np.exp(-d / tau_d)
            u = U + (u + f * (1 - u) - U) * np.exp(-d / tau_f)
        out.append(u * r / U)
    return np.stack(out, -1)


def experiment(rng, trials_range=(180, 490), cv=0.3):
    prot = {k: times(v) for k, v in PROTOCOLS.items()}
    y = {}
    for k, t in prot.items():
        m = np_markram(t, **TRUE)
        T = int(rng.integers(*trials_range, endpoint=True))
        y[k] = m[None] * (1 + cv * rng.standard_normal((T, t.size)))
        y[k][rng.random(y[k].shape) < 0.02] = np.nan  # a few missing responses
    return prot, y


def equal_loss_stats(prot, y):
    out = []
    for k in prot:
        obs = np.isfinite(y[k])
        n = obs.sum(0).astype(float)
        s1 = np.where(obs, y[k], 0).sum(0)
        s2 = np.where(obs, y[k] ** 2, 0).sum(0)
        out.append((prot[k], n, s1, s2, n.sum()))
    return out


def equal_loss(stats, U, f, tau_f, tau_d):
    """Mean over protocols of each protocol's MSE over all observations (vectorised over parameters)."""
    total = 0.0
    for t, n, s1, s2, N in stats:
        m = np_markram(t, U, f, tau_f, tau_d)
        total = total + (s2 - 2 * m * s1 + n * m * m).sum(-1) / N
    return total / len(stats)


def brute(stats, n_grid=(20, 20, 50, 50), chunk=50_000):
    Us = np.linspace(0.025, 0.975, n_grid[0])
    fs = np.linspace(0.025, 0.975, n_grid[1])
    tfs = np.linspace(1, 491, n_grid[2])
    tds = np.linspace(1, 491, n_grid[3])
    G = np.stack(np.meshgrid(Us, fs, tfs, tds, indexing="ij"), -1).reshape(-1, 4)
    best, arg = np.inf, None
    for i in range(0, len(G), chunk):
        g = G[i:i + chunk]
        L = equal_loss(stats, g[:, 0], g[:, 1], g[:, 2], g[:, 3])
        j = int(np.argmin(L))
        if L[j] < best:
            best, arg = float(L[j]), g[j]
    return best, arg, len(G)


def lbfgsb(stats, starts, bounds):
    from scipy.optimize import minimize

    best, arg, nfev = np.inf, None, 0
    for p0 in starts:
        sol = minimize(lambda p: float(equal_loss(stats, *p)), p0, method="L-BFGS-B", bounds=bounds,
                       options=dict(ftol=1e-15, gtol=1e-10, maxiter=500))
        nfev += sol.nfev
        if sol.fun < best:
            best, arg = float(sol.fun), sol.x
    return best, arg, nfev


def section_experiment(args):
    from stp_brainpy.fitting import fit, make_dataset

    rng = np.random.default_rng(0)
    prot, y = experiment(rng, (20, 40) if args.quick else (180, 490))
    ds = make_dataset(prot, y)
    print(f"experiment: {len(prot)} protocols, trials {min(ds.n_trials)}-{max(ds.n_trials)}, spikes "
          f"{min(ds.n_spikes)}-{max(ds.n_spikes)}, {ds.n_observations} observations")
    kw = dict(model="markram", loss="equal", amplitude="first", read="before", n_starts=64, seed=0)
    t0 = time.perf_counter()
    r = fit(ds, **kw)
    b = r.bootstrap(args.boot, seed=0)
    first = time.perf_counter() - t0
    steady = []
    for rep in range(args.repeat):
        t0 = time.perf_counter()
        r = fit(ds, **kw)
        t1 = time.perf_counter()
        b = r.bootstrap(args.boot, seed=rep + 1)
        steady.append((t1 - t0, time.perf_counter() - t1))
    fit_s, boot_s = (float(np.median([s[i] for s in steady])) for i in (0, 1))
    ours = fit_s + boot_s
    print(f"ours      : loss {r.loss:.10g}  fit+Laplace {fit_s:.3f} s, bootstrap x{args.boot} {boot_s:.3f} s, "
          f"steady total {ours:.3f} s, compile {first - ours:.1f} s")
    print("            " + ", ".join(f"{k}={r.params[k]:.4g}±{r.stderr[k]:.2g} (boot ±{b['stderr'][k]:.2g})"
                                      for k in r.names))
    stats = equal_loss_stats(prot, y)
    lo_check = float(equal_loss(stats, *[r.params[k] for k in ("U", "f", "tau_f", "tau_d")]))
    print(f"            loss re-evaluated by the NumPy model: {lo_check:.10g}")
    t0 = time.perf_counter()
    gl, garg, npts = brute(stats, (5, 5, 10, 10) if args.quick else (20, 20, 50, 50))
    tg = time.perf_counter() - t0
    print(f"brute grid: loss {gl:.10g}  {npts:.0e} points in {tg:.2f} s (vectorised NumPy)  at {np.round(garg, 4).tolist()}")
    # srplasticity calls scipy.optimize.brute, which evaluates the loss point by point: time a subset
    from scipy.optimize import brute as sp_brute

    sub = (2, 2, 10, 10) if args.quick else (4, 5, 10, 10)
    rngs = (slice(0.025, 0.975, 0.95 / max(sub[0] - 1, 1) * 0.999), slice(0.025, 0.975, 0.95 / max(sub[1] - 1, 1) * 0.999),
            slice(1, 491, 490 / (sub[2] - 1) * 0.999), slice(1, 491, 490 / (sub[3] - 1) * 0.999))
    t0 = time.perf_counter()
    sp_brute(lambda p: float(equal_loss(stats, *p)), rngs, finish=None)
    per_point = (time.perf_counter() - t0) / np.prod(sub)
    tb = per_point * npts
    print(f"scipy.optimize.brute (srplasticity's call): {per_point * 1e6:.0f} us per point -> {tb:.0f} s for {npts:.0e} points "
          f"(extrapolated from {np.prod(sub)} points)")
    from scipy.stats import qmc

    u = qmc.Sobol(4, scramble=True, seed=0).random(64)
    lo, hi = np.array([1e-4, 1e-4, 1.0, 1.0]), np.array([1.0, 1.0, 5000.0, 5000.0])
    starts = np.column_stack([lo[:2] + (hi[:2] - lo[:2]) * u[:, :2], np.exp(np.log(lo[2:]) + np.log(hi[2:] / lo[2:]) * u[:, 2:])])
    t0 = time.perf_counter()
    sl, sarg, nfev = lbfgsb(stats, starts[: args.scipy_starts], list(zip(lo, hi)))
    ts = time.perf_counter() - t0
    print(f"scipy     : loss {sl:.10g}  L-BFGS-B x{args.scipy_starts} starts in {ts:.2f} s ({nfev} evaluations) "
          f"at {np.round(sarg, 4).tolist()}")
    print(f"ratios    : scipy.optimize.brute grid/ours {tb / ours:.0f}x, vectorised grid/ours {tg / ours:.0f}x, "
          f"scipy/ours {ts / ours:.1f}x; "
          f"loss ours - best other = {r.loss - min(gl, sl):.3g}")
    if not args.no_write:
        rows = [dict(method=f"stp_brainpy fit (64 starts, Laplace) + bootstrap x{args.boot}", points=None,
                     seconds=_sig(ours), compile_s=_sig(first - ours, 3), loss=_sig(r.loss, 10), x_ours=1.0),
                dict(method="scipy.optimize.brute (srplasticity's call), extrapolated", points=int(npts),
                     seconds=_sig(tb, 3), compile_s=None, loss=_sig(gl, 10), x_ours=_sig(tb / ours, 3)),
                dict(method="brute grid, vectorised NumPy", points=int(npts), seconds=_sig(tg), compile_s=None,
                     loss=_sig(gl, 10), x_ours=_sig(tg / ours, 3)),
                dict(method=f"scipy L-BFGS-B x{args.scipy_starts} starts", points=int(nfev), seconds=_sig(ts),
                     compile_s=None, loss=_sig(sl, 10), x_ours=_sig(ts / ours, 3))]
        path = write_results(
            f"fitting-experiment-{machine_tag()}", rows, out_dir=args.results_dir,
            title="Fitting one experiment: stp_brainpy vs srplasticity-style brute force and scipy",
            notes=(f"{len(prot)} protocols, {ds.n_observations} observations, markram read='before', "
                   "amplitude='first', loss 'equal', float64. Ours: median of "
                   f"{args.repeat} steady runs (fit + bootstrap), compile separate. points = grid points or, for "
                   "L-BFGS-B, loss evaluations; x_ours = seconds / ours."))
        print(f"wrote {path}")


def _sig(x: float, digits: int = 4) -> float:
    return float(f"{x:.{digits}g}")


def section_batch(args):
    import jax.numpy as jnp

    from stp_brainpy.core import family
    from stp_brainpy.fitting.batch import fit_batch

    N = args.synapses
    rng = np.random.default_rng(1)
    prot = {k: times(v) for k, v in PROTOCOLS.items()}
    U = rng.uniform(0.1, 0.6, N)
    tf = np.exp(rng.uniform(np.log(20), np.log(500), N))
    td = np.exp(rng.uniform(np.log(50), np.log(800), N))
    trials = 20
    y = {}
    for k, t in prot.items():
        e = np.asarray(family.event_efficacies("tm", jnp.asarray(t), {"U": jnp.asarray(U), "tau_f": jnp.asarray(tf),
                                                                      "tau_d": jnp.asarray(td)}))  # (N, spikes)
        y[k] = 2.0 * e[:, None, :] + 0.05 * rng.standard_normal((N, trials, t.size))
    kw = dict(model="tm", loss="sse", n_starts=args.batch_starts, max_steps=100)
    t0 = time.perf_counter()
    r = fit_batch(prot, y, **kw)
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    r = fit_batch(prot, y, **kw)
    steady = time.perf_counter() - t0
    ok = np.mean((np.abs(r.params["tau_d"] / td - 1) < 0.1) & (np.abs(r.params["U"] / U - 1) < 0.1))
    print(f"batch     : {N} synapses × {args.batch_starts} starts, {len(prot)} protocols × {trials} trials: "
          f"steady {steady:.2f} s ({N / steady:.0f} synapses/s), compile {first - steady:.1f} s; "
          f"converged {r.converged.mean():.3f}, U and tau_d within 10 %: {ok:.3f}")
    if not args.no_write:
        row = dict(synapses=N, starts=args.batch_starts, protocols=len(prot), trials=trials, steady_s=_sig(steady),
                   compile_s=_sig(first - steady, 3), synapses_per_s=_sig(N / steady, 3),
                   converged=_sig(float(r.converged.mean()), 3), recovered=_sig(float(ok), 3))
        path = write_results(
            f"fitting-batch-{machine_tag()}", [row], out_dir=args.results_dir,
            title="fit_batch: many synapses in one call", notes=(
                "tm model, loss 'sse', max_steps 100, float64; synthetic synapses (U, tau_f, tau_d drawn "
                "log-uniformly), noise sd 0.05; one steady call after the compiling one; recovered = fraction "
                "with U and tau_d within 10 % of the truth."))
        print(f"wrote {path}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--section", choices=("experiment", "batch", "all"), default="all")
    ap.add_argument("--boot", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--scipy-starts", type=int, default=64)
    ap.add_argument("--synapses", type=int, default=10_000)
    ap.add_argument("--batch-starts", type=int, default=4)
    add_write_options(ap)
    args = ap.parse_args(argv)
    if args.quick:
        args.boot, args.scipy_starts, args.synapses = 20, 8, 200
    import jax

    jax.config.update("jax_enable_x64", True)
    print(f"jax {jax.__version__} on {jax.devices()[0]}, float64")
    if args.section in ("experiment", "all"):
        section_experiment(args)
    if args.section in ("batch", "all"):
        section_batch(args)


if __name__ == "__main__":
    main()
