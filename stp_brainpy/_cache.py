"""Where the package keeps what it compiles: the native delivery kernel and JAX's compiled programs.

``STP_BRAINPY_CACHE`` names the folder; otherwise ``$XDG_CACHE_HOME/stp_brainpy`` (``~/.cache/stp_brainpy``).

JAX's persistent compilation cache (:func:`enable_compilation_cache`) is **opt-in** in the Python API, as in
JAX itself: call ``stp_brainpy.enable_compilation_cache()`` once (or pass ``cache=True`` to
:class:`~stp_brainpy.network.FusedNetwork` / :class:`~stp_brainpy.network.FusedCOBA`). The command line
turns it on for every command. ``STP_BRAINPY_JAX_CACHE=0`` turns it off everywhere, explicit calls included.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional, Union

__all__ = ["cache_dir", "enable_compilation_cache", "CACHE_ENV", "JAX_CACHE_ENV", "MIN_COMPILE_S"]

CACHE_ENV = "STP_BRAINPY_CACHE"
JAX_CACHE_ENV = "STP_BRAINPY_JAX_CACHE"  # "0" turns the persistent compilation cache off (command line and API)
# programs that compile faster than this are not worth a file (JAX's default is 1 s; the COBA scan takes ~1 s)
MIN_COMPILE_S = 0.2


def cache_dir() -> Path:
    """The package's cache folder (not created here)."""
    root = os.environ.get(CACHE_ENV) or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "stp_brainpy")
    return Path(root)


def enable_compilation_cache(path: Optional[Union[str, os.PathLike]] = None, *,
                             min_compile_s: float = MIN_COMPILE_S) -> Optional[Path]:
    """Turn on JAX's persistent compilation cache for this process; returns the folder in use, or None.

    Compiled programs are written to ``path`` (default :func:`cache_dir` ``/jax``, i.e.
    ``~/.cache/stp_brainpy/jax``), and a later process that lowers the same program loads it instead of
    compiling it: the COBA-STP network (4000 neurons) compiles in ~1 s, a cache hit loads in < 0.1 s, and
    gives the same spikes (JAX keys each file by the program's full text, the compiler options and the
    jax/jaxlib versions, so a changed network or JAX compiles anew). Programs compiling in less than
    ``min_compile_s`` seconds are not stored. Tracing and lowering still run (they make the key).

    Process-wide, like ``jax.config``: it applies to every later compilation, also of programs that are not
    this package's. Left alone when the user has set JAX's own ``jax_compilation_cache_dir`` (their choice
    wins, unless ``path`` is given) or when ``STP_BRAINPY_JAX_CACHE=0``. To turn it off again:
    ``jax.config.update("jax_enable_compilation_cache", False)``; to free the disk: delete the folder.

    >>> import stp_brainpy
    >>> folder = stp_brainpy.enable_compilation_cache()  # doctest: +SKIP
    """
    if isinstance(min_compile_s, bool) or not isinstance(min_compile_s, (int, float)):
        raise TypeError(f"min_compile_s must be a number of seconds; got {min_compile_s!r}")
    if not min_compile_s >= 0:
        raise ValueError(f"min_compile_s must be >= 0 (seconds); got {min_compile_s}")
    if os.environ.get(JAX_CACHE_ENV, "") == "0":
        return None
    import jax
    from jax.experimental.compilation_cache import compilation_cache as cc

    if path is None and jax.config.jax_compilation_cache_dir:  # the user's own choice wins
        return Path(jax.config.jax_compilation_cache_dir)
    folder = Path(path) if path is not None else cache_dir() / "jax"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # a read-only home: run without the cache rather than fail
        return None
    jax.config.update("jax_compilation_cache_dir", str(folder))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", float(min_compile_s))
    # JAX decides once per process, at its first compilation, whether a cache is used: start that over, so
    # that the cache applies even when something was compiled before this call
    cc.reset_cache()
    return folder
