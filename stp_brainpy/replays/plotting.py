"""Small helpers shared by the replays: writing figures and files that refuses to overwrite.

The backend is left to matplotlib (headless machines fall back to Agg; notebooks keep inline).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

__all__ = ["check_targets", "save_figure", "write_text"]


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
