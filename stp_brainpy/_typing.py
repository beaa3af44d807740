"""Type aliases shared by the package's public signatures (one place, so hints read the same everywhere)."""
from __future__ import annotations

import os
from typing import Union

import jax
import numpy as np

__all__ = ["Array", "ArrayLike", "Scalar", "PathLike", "Seed"]

Array = jax.Array
"""A JAX array (what the numerics return)."""

ArrayLike = jax.typing.ArrayLike
"""Anything ``jnp.asarray`` takes: Python numbers, NumPy and JAX arrays."""

Scalar = Union[float, int, np.floating, np.integer]
"""A plain number (a parameter given as one value)."""

PathLike = Union[str, "os.PathLike[str]"]
"""A filesystem path."""

Seed = Union[int, np.integer, jax.Array]
"""An integer seed or a JAX PRNG key."""
