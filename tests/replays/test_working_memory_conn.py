"""Working-memory connectivity rules: Bernoulli (Mongillo et al.) by default, fixed in-degree (Tiddia et al.)."""
from dataclasses import replace

import numpy as np
import pytest

from stp_brainpy.network.plan import make_plan
from stp_brainpy.replays.working_memory import WMParams, ee_connectivity, protocol, wm_network


def test_default_rule_is_bernoulli_and_fixed_in_degree_is_exact():
    prm = WMParams(N_E=500, N_I=125)
    assert prm.conn == "bernoulli"
    conn, w = ee_connectivity(prm, seed=1)
    n = prm.N_E * prm.N_E
    assert abs(conn.nnz - 0.2 * n) < 4 * np.sqrt(n * 0.2 * 0.8)  # Binomial(N_E^2, c)
    indeg = np.bincount(conn.indices, minlength=prm.N_E)
    assert indeg.std() > 3  # Binomial(500, 0.2): SD ~ 8.9, not fixed
    fixed, _ = ee_connectivity(replace(prm, conn="fixed_in_degree"), seed=1)
    # 100 inputs drawn from each of the 5 selective blocks (0.2 x 50) and the non-selective one (0.2 x 250)
    np.testing.assert_array_equal(np.bincount(fixed.indices, minlength=prm.N_E), 5 * 10 + 50)
    # weights by blocks: J_p within a selective population, J_b across selective populations
    src = np.repeat(np.arange(prm.N_E), conn.degree)
    same = (src // 50 == conn.indices // 50) & (src < 250) & (conn.indices < 250)
    assert np.all(w[same] == prm.J_p) and np.all(w[(src < 250) & ~same] == prm.J_b)
    tail = w[src >= 250]  # from non-selective neurons: J_p with probability gamma_0
    assert abs(np.mean(tail == prm.J_p) - prm.gamma_0) < 4 * np.sqrt(0.09 / tail.size)
    with pytest.raises(ValueError, match="conn"):
        WMParams(conn="all_to_all")


def test_quick_network_is_the_same_under_both_rules():
    # S = 0.2 makes every block all-to-all (c' = 1): the rules give the same synapses, weights and delays
    prm = WMParams(dt=0.1).scaled(0.2)
    proto = protocol("readout", quick=True)
    a, b = (make_plan(wm_network(replace(prm, conn=c), proto)) for c in ("bernoulli", "fixed_in_degree"))
    for ga, gb in zip(a.groups, b.groups):
        np.testing.assert_array_equal(ga.targets, gb.targets)
        np.testing.assert_array_equal(ga.weights, gb.weights)
