"""Small helpers shared by the replays: writing figures and files that refuses to overwrite.

The backend is left to matplotlib (headless machines fall back to Agg; notebooks keep inline).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

__all__ = ["check_targets", "save_figure", "write_text", "write_tables", "add_output_arguments", "run_command"]


def check_targets(paths: Iterable[os.PathLike | str], overwrite: bool = False) -> list[Path]:
    """Return ``paths`` as ``Path``s; unless ``overwrite``, raise ``FileExistsError`` if ANY exists.

    Call it with every file a command will write, before writing the first: no partial overwrite.
    """
    paths = [Path(p) for p in paths]
    if not overwrite:
        existing = [str(p) for p in paths if p.exists()]
        if existing:
            more = f" (and {len(existing) - 5} more)" if len(existing) > 5 else ""
            raise FileExistsError(f"refusing to overwrite {', '.join(existing[:5])}{more}; pass overwrite=True "
                                  "(--overwrite) or choose another output directory")
    return paths


def save_figure(fig, path: os.PathLike | str, overwrite: bool = False, dpi: int = 150) -> Path:
    """Save ``fig`` as ``path`` (format from the suffix) and close it."""
    import matplotlib.pyplot as plt

    (path,) = check_targets([path], overwrite)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return path


def write_text(path: os.PathLike | str, text: str, overwrite: bool = False) -> Path:
    (path,) = check_targets([path], overwrite)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def write_tables(out_dir: os.PathLike | str, tables: dict[str, str]) -> list[Path]:
    """Write ``{file name: text}`` into ``out_dir`` (targets were checked before the run started)."""
    out = Path(out_dir)
    written = []
    for name, text in tables.items():
        path = out / name
        path.write_text(text)
        written.append(path)
    return written


def add_output_arguments(parser, default_out: str, quick_help: str) -> None:
    """The options every replay command shares: --out, --overwrite, --quick, --no-progress."""
    parser.add_argument("--out", default=default_out, help=f"output directory (default: {default_out})")
    parser.add_argument("--overwrite", action="store_true", help="replace existing files")
    parser.add_argument("--quick", action="store_true", help=quick_help)
    parser.add_argument("--no-progress", action="store_true", help="hide the progress display")


def run_command(name: str, run_all, args, **kwargs) -> tuple[int, list[Path]]:
    """Call a replay's ``run_all`` for the CLI: refusals and bad input become exit code 2 with a message."""
    import sys

    try:
        paths = run_all(args.out, overwrite=args.overwrite, quick=args.quick, progress=not args.no_progress, **kwargs)
    except (FileExistsError, ValueError) as err:
        print(f"stp-brainpy {name}: {err}", file=sys.stderr)
        return 2, []
    print(f"wrote {len(paths)} files to {args.out}")
    return 0, paths
