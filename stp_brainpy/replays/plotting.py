"""What every replay shares: its command-line options, the output checks, and the writers.

A replay checks everything before it simulates: its parameters (its own ``validate``), the files
it will write (:func:`check_targets`: no silent overwrite) and that the output folder can be
created (:func:`check_output_dir`). It then simulates, and only then creates the folder
(:func:`output_dir`, which removes the folders it created again if writing fails) and writes.

The backend is left to matplotlib (headless machines fall back to Agg; notebooks keep inline).
"""
from __future__ import annotations

import contextlib
import csv
import io
import os
from pathlib import Path
from typing import Iterable, Iterator, Optional, Sequence

import jax
import numpy as np

__all__ = ["check_targets", "check_output_dir", "check_outputs", "output_dir", "save_figure", "write_tables",
           "write_outputs", "csv_text", "format_number", "clean_floats", "host_arrays", "add_output_arguments", "add_replay_parser",
           "run_command"]


def check_targets(paths: Iterable[os.PathLike | str], overwrite: bool = False) -> list[Path]:
    """Return ``paths`` as ``Path``s; unless ``overwrite``, raise ``FileExistsError`` if ANY exists.

    Call it with every file a command will write, before writing the first: no partial overwrite.
    A target that is a folder is refused even with ``overwrite`` (``IsADirectoryError``).
    """
    paths = [Path(p) for p in paths]
    folders = [str(p) for p in paths if p.is_dir()]
    if folders:
        raise IsADirectoryError(f"cannot write {folders[0]}: it is a folder; choose another output directory")
    if not overwrite:
        existing = [str(p) for p in paths if p.exists()]
        if existing:
            more = f" (and {len(existing) - 5} more)" if len(existing) > 5 else ""
            raise FileExistsError(f"refusing to overwrite {', '.join(existing[:5])}{more}; pass overwrite=True "
                                  "(--overwrite) or choose another output directory")
    return paths


def check_output_dir(out_dir: os.PathLike | str) -> Path:
    """``out_dir`` as a ``Path`` once it is sure it can be created and written; leaves nothing behind.

    Raises ``NotADirectoryError`` when it or a parent is a file, ``PermissionError`` when the
    nearest existing parent (or ``out_dir`` itself) is not writable.
    """
    out = Path(out_dir)
    if str(out_dir) == "":
        raise ValueError("output directory must be a non-empty path; got ''")
    if "\0" in str(out_dir):
        raise ValueError(f"output directory must not contain a NUL character; got {str(out_dir)!r}")
    existing = out
    while not existing.exists():
        if existing.is_symlink():  # a dangling link cannot become a folder
            raise NotADirectoryError(f"cannot create output directory {out}: {existing} is a broken link")
        existing = existing.parent
    if not existing.is_dir():
        raise NotADirectoryError(f"cannot create output directory {out}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise PermissionError(f"cannot write into {existing} (permission denied); choose another output directory")
    if existing != out:  # the only sure test (read-only mounts, /proc, root's access()): create it, then remove it
        missing = [p for p in [out, *out.parents] if not p.exists()]
        try:
            out.mkdir(parents=True)
        except OSError as err:
            raise type(err)(err.errno, f"cannot create output directory {out}: {err.strerror}") from None
        finally:
            for d in missing:
                with contextlib.suppress(OSError):
                    d.rmdir()
    return out


@contextlib.contextmanager
def output_dir(out_dir: os.PathLike | str) -> Iterator[Path]:
    """Create ``out_dir`` (and parents) for the block; if the block fails, remove the folders it created
    that are still empty, so a refused or failed run leaves no empty folder behind."""
    out = check_output_dir(out_dir)
    created, p = [], out
    while not p.exists():
        created.append(p)
        p = p.parent
    out.mkdir(parents=True, exist_ok=True)
    try:
        yield out
    except BaseException:
        for d in created:  # deepest first
            with contextlib.suppress(OSError):
                d.rmdir()  # only succeeds while empty
        raise


def check_outputs(out_dir: os.PathLike | str, targets: Iterable[os.PathLike | str], overwrite: bool = False
                  ) -> list[Path]:
    """Both checks a replay runs before it simulates: :func:`check_output_dir`, then :func:`check_targets`."""
    check_output_dir(out_dir)
    return check_targets(targets, overwrite)


def write_outputs(out_dir: os.PathLike | str, figures: Iterable, paths: Sequence[Path], tables: dict[str, str],
                  dpi: int, progress=None, datasets: Optional[dict] = None) -> list[Path]:
    """Create ``out_dir`` (:func:`output_dir`), save each figure as its path, then write the tables and
    the ``{file name: xarray.Dataset}`` ``datasets`` (netCDF, each written to a temporary file, then renamed).

    ``figures`` may be a generator (figures drawn one at a time); ``progress`` (a tqdm bar) advances
    once per figure and once for the tables.
    """
    written = []
    with output_dir(out_dir) as out:
        for fig, path in zip(figures, paths):
            written.append(save_figure(fig, path, overwrite=True, dpi=dpi))
            if progress is not None:
                progress.update()
        written += write_tables(out, tables)
        if datasets:
            from ..sweeps.storefiles import atomic_to_netcdf

            for name, ds in datasets.items():
                atomic_to_netcdf(ds, out / name)
                written.append(out / name)
        if progress is not None:
            progress.update()
    return written


def save_figure(fig, path: os.PathLike | str, overwrite: bool = False, dpi: int = 150) -> Path:
    """Save ``fig`` as ``path`` (format from the suffix; the folder must exist) and close it."""
    import matplotlib.pyplot as plt

    (path,) = check_targets([path], overwrite)
    try:
        fig.savefig(path, dpi=dpi, bbox_inches="tight")
    finally:
        plt.close(fig)
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


def _shortest(v: float, single: bool) -> float:
    # A float32 widened to float64 prints its binary noise (0.20000000298023224); the shortest
    # decimal that reads back as the same float32 (0.2) is what was computed. A float64 that is
    # not exactly a float32 keeps its own repr.
    if single or (np.isfinite(v) and float(np.float32(v)) == v):
        return float(str(np.float32(v)))
    return float(v)


def format_number(value) -> object:
    """A table cell: floats as the shortest decimal of their float32 value when they are one
    (``np.float32(0.2)`` and ``0.20000000298023224`` → ``'0.2'``), otherwise unchanged."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (float, np.floating)):
        return value.item() if isinstance(value, np.generic) else value
    return repr(_shortest(float(value), isinstance(value, np.float32)))


def clean_floats(obj):
    """``obj`` (dicts, lists, tuples, arrays, scalars) with every float as :func:`format_number`
    reads it, as a float again (for JSON: ``json.dumps`` then writes the short form)."""
    if isinstance(obj, dict):
        return {k: clean_floats(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [clean_floats(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return clean_floats(obj.tolist())  # float32 elements become exact floats, shortened below
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (float, np.floating)):
        return _shortest(float(obj), isinstance(obj, np.float32))
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


def csv_text(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    """A CSV table (header row first, ``\\n`` line ends) as text; floats via :func:`format_number`
    (no float32 noise)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows([format_number(v) for v in row] for row in rows)
    return buf.getvalue()


def host_arrays(tree):
    """Every leaf of a JAX result as a NumPy array on the host."""
    return jax.tree_util.tree_map(np.asarray, jax.device_get(tree))


def add_replay_parser(subparsers, name: str, help: str, doc: str, default_out: str, quick_help: str, func):
    """A replay's sub-command: ``help``, the first line of ``doc`` as description, :func:`add_output_arguments`
    and ``func`` as its action; returns the parser for the replay's own options."""
    p = subparsers.add_parser(name, help=help, description=doc.splitlines()[0])
    add_output_arguments(p, default_out, quick_help)
    p.set_defaults(func=func)
    return p


def add_output_arguments(parser, default_out: str, quick_help: str) -> None:
    """The options every replay command shares: --out, --overwrite, --quick, --no-progress."""
    parser.add_argument("--out", default=default_out, help=f"output directory (default: {default_out})")
    parser.add_argument("--overwrite", action="store_true", help="replace existing files")
    parser.add_argument("--quick", action="store_true", help=quick_help)
    parser.add_argument("--no-progress", action="store_true", help="hide the progress display")


def run_command(run_all, args, **kwargs) -> list[Path]:
    """Call a replay's ``run_all`` for the CLI and say what it wrote.

    Refusals and bad input propagate (``ValueError``, ``TypeError``, ``OSError``): the top-level
    :func:`stp_brainpy.cli.main` prints them as one ``error:`` line and exits 2.
    """
    paths = run_all(args.out, overwrite=args.overwrite, quick=args.quick, progress=not args.no_progress, **kwargs)
    print(f"wrote {len(paths)} files to {args.out}")
    return paths
