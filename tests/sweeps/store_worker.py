"""A small sweep into a store, run as a script by the kill -9 and concurrent-writer tests.

    python store_worker.py STORE OUT.npy DELAY     # DELAY: seconds of host sleep per chunk

Run as a script (module ``__main__``) by every writer, so all share one fingerprint.
"""
from __future__ import annotations

import sys
import time

import jax
import jax.numpy as jnp
import numpy as np

DELAY = 0.0
GRID = dict(a=np.linspace(0.1, 1.0, 8), b=[1.0, 2.0, 3.0])
KW = dict(seeds=2, chunk_size=4, out_dims={"y": ("k",), "flag": ("k",)})  # 48 items in 12 chunks


def _pause(a):
    time.sleep(DELAY)
    return np.zeros(a.shape, a.dtype)


def run(a, b, seed):
    # One host callback per chunk (vmap_method='broadcast_all' sees the whole batch): a slow chunk.
    z = jax.pure_callback(_pause, jax.ShapeDtypeStruct(jnp.shape(a), jnp.result_type(a)), a,
                          vmap_method="broadcast_all")
    noise = jax.random.uniform(jax.random.key(seed), (3,), jnp.result_type(float))
    return {"y": a * b + noise + z, "flag": noise > 0.5}


def main(store: str, out: str, delay: float) -> None:
    global DELAY
    from stp_brainpy.sweeps import product, sweep

    DELAY = delay
    ds = sweep(run, product(**GRID), store=store, devices=jax.devices("cpu")[:1], **KW)
    np.save(out, ds.y.values)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]))
