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


def _binomial_moments_within_4se(samples, n, p):
    """Sample mean and variance of Binomial(n, p) draws, each within 4 standard errors."""
    m = samples.size
    mu, var = n * p, n * p * (1 - p)
    mu4 = var * (1 + 3 * (n - 2) * p * (1 - p))  # fourth central moment of the binomial
    se_mean = np.sqrt(var / m)
    se_var = np.sqrt((mu4 - var ** 2 * (m - 3) / (m - 1)) / m)
    assert abs(samples.mean() - mu) < 4 * se_mean, (samples.mean(), mu, se_mean)
    assert abs(samples.var(ddof=1) - var) < 4 * se_var, (samples.var(ddof=1), var, se_var)


@pytest.mark.parametrize("n_pre,n_post,p", [(3000, 2000, 0.01), (1500, 1500, 0.3), (4000, 500, 0.002)])
def test_bernoulli_degrees_follow_the_binomial_law(n_pre, n_post, p):
    c = bernoulli(n_pre, n_post, p, seed=1)
    # independent Bernoulli(p) per ordered pair: nnz ~ Bin(n_pre n_post, p), out-degree ~ Bin(n_post, p),
    # in-degree ~ Bin(n_pre, p)
    assert abs(c.nnz - p * n_pre * n_post) < 4 * np.sqrt(n_pre * n_post * p * (1 - p))
    _binomial_moments_within_4se(c.degree, n_post, p)
    _binomial_moments_within_4se(np.bincount(c.indices, minlength=n_post), n_pre, p)
    assert c.to_dense().max() == 1  # no multapses
    assert bernoulli(n_pre, n_post, p, seed=1).indices.tolist() == c.indices.tolist()  # reproducible
    assert bernoulli(n_pre, n_post, p, seed=2).indices.tolist() != c.indices.tolist()


def test_bernoulli_pairs_are_independent_and_autapses_optional():
    n, p = 2000, 0.05
    dense = bernoulli(n, n, p, seed=3).to_dense().astype(bool)
    # reciprocal pairs i<->j: n(n-1)/2 pairs, each both ways with probability p^2 when independent
    pairs = n * (n - 1) / 2
    recip = np.triu(dense & dense.T, 1).sum()
    assert abs(recip - pairs * p * p) < 4 * np.sqrt(pairs * p * p * (1 - p * p))
    # targets uniform: the counts in 10 blocks of targets are equal within 4 SE
    blocks = dense.reshape(n, 10, n // 10).sum(axis=(0, 2))
    assert np.all(np.abs(blocks - dense.sum() / 10) < 4 * np.sqrt(dense.sum() / 10))
    no_self = bernoulli(n, n, p, seed=3, allow_autapses=False)
    d = no_self.to_dense()
    assert not np.any(np.diag(d))
    _binomial_moments_within_4se(no_self.degree, n - 1, p)


def test_bernoulli_edge_cases_and_cost_following_synapses():
    assert bernoulli(20, 30, 0.0).nnz == 0
    full = bernoulli(20, 30, 1.0)
    assert full.nnz == 600 and full.to_dense().min() == 1
    assert bernoulli(20, 20, 1.0, allow_autapses=False).nnz == 380
    for n_pre, n_post in ((0, 5), (5, 0), (0, 0)):
        c = bernoulli(n_pre, n_post, 0.5)
        assert (c.n_pre, c.n_post, c.nnz) == (n_pre, n_post, 0) and c.indptr.shape == (n_pre + 1,)
        assert c.to_dense().shape == (n_pre, n_post)
    # 4e10 pairs, ~40k synapses: the old pair-by-pair builder drew 4e10 uniforms; this one draws ~40k gaps
    big = bernoulli(200_000, 200_000, 1e-6, seed=0)
    assert abs(big.nnz - 40_000) < 4 * np.sqrt(40_000) and big.degree.size == 200_000


def test_oversize_networks_are_refused_with_the_estimate(monkeypatch):
    with pytest.raises(ValueError, match=r"bernoulli\(1000000, 1000000, p=0.02\).*2e\+10 synapses.*available"):
        bernoulli(1_000_000, 1_000_000, 0.02)
    import stp_brainpy.network.sizes as sizes

    monkeypatch.setattr(sizes, "available_memory", lambda: 10_000_000)  # 10 MB
    with pytest.raises(ValueError, match=r"fixed_in_degree\(1000, 100000, k=80\).*8e\+06 synapses"):
        fixed_in_degree(1000, 100_000, 80)
    assert bernoulli(100, 100, 0.1).nnz > 0  # small ones still fit


def test_fixed_in_degree_is_exact_and_distinct():
    c = fixed_in_degree(500, 300, 80, seed=4, allow_autapses=False)
    dense = c.to_dense()
    np.testing.assert_array_equal(dense.sum(0), 80)
    assert dense.max() == 1  # no multapses
    assert not np.any(np.diag(dense[:300, :300]))
    dense_regime = fixed_in_degree(50, 10, 40, seed=0).to_dense()
    np.testing.assert_array_equal(dense_regime.sum(0), 40)
    assert dense_regime.max() == 1
    no_self = fixed_in_degree(50, 50, 49, seed=0, allow_autapses=False).to_dense()
    np.testing.assert_array_equal(no_self, 1 - np.eye(50))
    # sources uniform: out-degrees of 200 sources for 3000 targets x 20 inputs ~ 300 each (Bin(3000, 0.1))
    out = fixed_in_degree(200, 3000, 20, seed=5).degree
    _binomial_moments_within_4se(out, 3000, 0.1)
    assert fixed_in_degree(0, 4, 0).nnz == 0 and fixed_in_degree(4, 0, 3).nnz == 0


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
