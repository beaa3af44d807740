"""Generate ``cli-reference.md``: the ``--help`` of ``stp-brainpy`` and of every sub-command, at build time."""
from __future__ import annotations

import argparse
import os
from pathlib import Path


def _walk(parser: argparse.ArgumentParser, prog: str):
    yield prog, parser
    for action in parser._actions:  # argparse keeps sub-commands only here
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _walk(sub, f"{prog} {name}")


def render() -> str:
    from stp_brainpy.cli import build_parser

    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"  # argparse wraps to the terminal width; fix it so the page is reproducible
    try:
        lines = ["# Command reference", "",
                 "Generated at build time from the parsers of `stp-brainpy` (what `--help` prints). "
                 "See {doc}`cli` for an overview.", ""]
        for prog, parser in _walk(build_parser(), "stp-brainpy"):
            lines += [f"## `{prog}`", "", "```text", parser.format_help().rstrip(), "```", ""]
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old
    return "\n".join(lines)


def write_page(path: Path) -> None:
    text = render()
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
