"""Grids: flattening order, labels and bad input."""
from __future__ import annotations

import numpy as np
import pytest

from stp_brainpy.sweeps import product, random_samples, zipped


def test_product_flattens_in_c_order():
    g = product(a=[1.0, 2.0], b=[10, 20, 30])
    assert len(g) == 6 and g.shape == (2, 3) and g.dims == ("a", "b")
    flat = g.flat()
    np.testing.assert_array_equal(flat["a"], [1, 1, 1, 2, 2, 2])
    np.testing.assert_array_equal(flat["b"], [10, 20, 30, 10, 20, 30])


def test_zipped_and_random_use_setting_dim():
    z = zipped(a=[1.0, 2.0, 3.0], b=[4.0, 5.0, 6.0])
    assert z.dims == ("setting",) and len(z) == 3
    r = random_samples(5, seed=3, a=(0.0, 1.0), b=lambda rng, n: rng.integers(0, 4, n))
    assert r.dims == ("setting",) and len(r) == 5
    assert np.all((r.axes["a"] >= 0) & (r.axes["a"] < 1))
    again = random_samples(5, seed=3, a=(0.0, 1.0), b=lambda rng, n: rng.integers(0, 4, n))
    assert r.fingerprint() == again.fingerprint()
    assert random_samples(5, seed=4, a=(0.0, 1.0)).fingerprint() != random_samples(5, seed=3, a=(0.0, 1.0)).fingerprint()


@pytest.mark.parametrize("make, match", [
    (lambda: product(), "at least one parameter"),
    (lambda: product(U=[]), "'U' has no values"),
    (lambda: zipped(U=[0.1, 0.2], tau_d=[1.0]), "same length; got U: 2, tau_d: 1"),
    (lambda: zipped(), "at least one parameter"),
    (lambda: random_samples(0, U=(0, 1)), "n >= 1"),
    (lambda: random_samples(3, U=(1, 0)), "low <= high"),
    (lambda: product(U=[[0.1, 0.2]]), "1-D"),
])
def test_bad_grids_raise_clear_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()  # more cases: tests/sweeps/test_bad_input.py
