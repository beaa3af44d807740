"""Connectivity builders: CSR and ELL agree, Bernoulli and fixed in-degree statistics."""
import numpy as np
import pytest

from stp_brainpy.network.connectivity import bernoulli, fixed_in_degree, from_dense, from_pairs, select


def _pairs_from_ell(c):
    rows, cols = np.nonzero(c.targets < c.n_post)
    return set(zip(rows.tolist(), c.targets[rows, cols].tolist()))


def test_csr_and_ell_hold_the_same_synapses():
    rng = np.random.default_rng(3)
    mask = rng.random((40, 25)) < 0.2
    c = from_dense(mask)
    assert c.nnz == mask.sum()
    np.testing.assert_array_equal(c.to_dense() > 0, mask)
    assert _pairs_from_ell(c) == set(zip(*np.nonzero(mask)))
    np.testing.assert_array_equal(c.degree, mask.sum(1))
    # per-synapse values survive the CSR -> ELL layout change
    vals = np.arange(c.nnz, dtype=float) + 1
    ell = c.ell_values(vals)
    dense = np.zeros(mask.shape)
    r, s = np.nonzero(c.targets < c.n_post)
    dense[r, c.targets[r, s]] = ell[r, s]
    np.testing.assert_array_equal(dense, c.to_dense(vals))


def test_bernoulli_degree_statistics():
    n, p = 2000, 0.02
    c = bernoulli(n, n, p, seed=1)
    # nnz ~ Binomial(n^2, p): mean 80000, sd 280
    assert abs(c.nnz - p * n * n) < 5 * np.sqrt(n * n * p * (1 - p))
    # per-row fan-out ~ Binomial(n, p): variance n p (1-p) = 39.2 (not fixed fan-out)
    assert 30 < c.degree.var() < 50
    assert bernoulli(n, n, p, seed=1).indices.tolist() == c.indices.tolist()
    no_self = bernoulli(300, 300, 0.5, seed=2, allow_autapses=False)
    assert not np.any(np.diag(no_self.to_dense()))


def test_fixed_in_degree_is_exact_and_distinct():
    c = fixed_in_degree(500, 300, 80, seed=4, allow_autapses=False)
    dense = c.to_dense()
    np.testing.assert_array_equal(dense.sum(0), 80)
    assert dense.max() == 1  # no multapses
    assert not np.any(np.diag(dense[:300, :300]))
    dense_regime = fixed_in_degree(50, 10, 40, seed=0).to_dense()
    np.testing.assert_array_equal(dense_regime.sum(0), 40)
    assert dense_regime.max() == 1


def test_select_block_and_errors():
    rng = np.random.default_rng(0)
    mask = rng.random((30, 30)) < 0.3
    c = from_dense(mask)
    np.testing.assert_array_equal(select(c, slice(5, 20), slice(10, 30)).to_dense() > 0, mask[5:20, 10:30])
    with pytest.raises(ValueError, match="p must lie in"):
        bernoulli(10, 10, 1.5)
    with pytest.raises(ValueError, match="k must lie in"):
        fixed_in_degree(10, 10, 11)
    with pytest.raises(ValueError, match="post indices"):
        from_pairs([0], [5], 2, 5)
