"""``stp-brainpy all --out OUT``: every replay, into ``OUT/homework`` and ``OUT/neuromatch``."""
from __future__ import annotations

import argparse
import importlib
from pathlib import Path

from .plotting import add_output_arguments, check_output_dir, check_targets

__all__ = ["REPLAYS", "run_all", "add_parser"]

# sub-directory -> module exposing run_all(out_dir, overwrite, quick, progress); imported when run
REPLAYS = {"homework": "stp_brainpy.replays.homework", "neuromatch": "stp_brainpy.replays.neuromatch"}


def run_all(out_dir, overwrite: bool = False, quick: bool = False, progress: bool = False) -> dict[str, list]:
    """Run each replay into ``out_dir/<name>``; returns the written paths per replay.

    Before the first replay runs: ``out_dir`` must be creatable, and no file that a replay lists
    (``targets(out_dir, quick)``) may exist unless ``overwrite`` (``FileExistsError``); each
    replay also checks its own arguments and targets before it writes.
    """
    out = check_output_dir(out_dir)
    modules = {name: importlib.import_module(module) for name, module in REPLAYS.items()}
    for name in modules:
        check_output_dir(out / name)
    listed = [p for name, mod in modules.items() if hasattr(mod, "targets") for p in mod.targets(out / name, quick)]
    check_targets(listed, overwrite)
    written = {}
    for name, mod in modules.items():
        written[name] = mod.run_all(out / name, overwrite=overwrite, quick=quick, progress=progress)
    return written


def _main(args: argparse.Namespace) -> int:
    written = run_all(args.out, overwrite=args.overwrite, quick=args.quick, progress=not args.no_progress)
    for name, paths in written.items():
        print(f"{name}: wrote {len(paths)} files to {Path(args.out) / name}")
    return 0


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("all", help="render every figure and table of both documents",
                              description=__doc__.splitlines()[0])
    add_output_arguments(p, "figures", "smaller runs / lower-resolution figures")
    p.set_defaults(func=_main)
    return p
