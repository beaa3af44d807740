"""Command line: ``stp-brainpy <command> ...``.

Each sub-command lives next to the code it drives; this module only dispatches.
A command module exposes ``add_parser(subparsers)`` which registers its parser and
sets ``func`` (called with the parsed namespace, returns an exit code).
"""
from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

# command name -> module that defines it (imported only when that command runs)
COMMANDS = {
    "homework": "stp_brainpy.replays.homework",
    "neuromatch": "stp_brainpy.replays.neuromatch",
    "all": "stp_brainpy.replays.all",
    "sweep": "stp_brainpy.sweeps.cli",
    "plot": "stp_brainpy.sweeps.cli",
    "network": "stp_brainpy.network.cli",
}


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stp-brainpy", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    wanted = [a for a in (argv or []) if a in COMMANDS][:1] or list(COMMANDS)
    loaded = set()
    for name in wanted:
        module = COMMANDS[name]
        if module in loaded:
            continue
        loaded.add(module)
        importlib.import_module(module).add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
