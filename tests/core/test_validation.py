"""The shared parameter checks: messages name the parameter, the rule and the value; tracers are skipped or checkified."""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from stp_brainpy.core import validation as v


@pytest.mark.parametrize("value", ["0.2", b"1", 1j, np.array([1 + 2j]), None, True, np.array([True]), object(),
                                   [1, "a"]])
def test_check_number_type_errors(value):
    with pytest.raises(TypeError, match="^U must be"):
        v.check_number("U", value)


@pytest.mark.parametrize("value", [0.2, 3, np.float32(1.5), np.arange(3), [1.0, 2.0], jnp.ones(2), np.inf, np.nan])
def test_check_number_accepts_numbers(value):
    v.check_number("U", value)


def test_type_error_is_also_value_error_for_old_callers():
    with pytest.raises(ValueError):
        v.check_range("tau", "abc", 0.0)
    assert issubclass(v.ParameterTypeError, TypeError) and issubclass(v.ParameterTypeError, ValueError)


def test_check_finite():
    v.check_finite("A", [1.0, -2.0])
    for bad in (np.inf, -np.inf, np.nan, [1.0, np.inf]):
        with pytest.raises(ValueError, match="A must be finite; got"):
            v.check_finite("A", bad)
    with pytest.raises(TypeError, match="A must be"):
        v.check_finite("A", "1")
    with pytest.raises(TypeError, match="A must be"):
        v.check_finite("A", None)


@pytest.mark.parametrize("value, out", [(3, 3), (3.0, 3), (np.int64(4), 4), (np.int32(1), 1), (np.array(5), 5),
                                        (np.float32(2.0), 2)])
def test_check_integer_accepts(value, out):
    got = v.check_integer("n", value, low=1)
    assert got == out and type(got) is int


@pytest.mark.parametrize("value, exc, match", [
    (2.7, ValueError, "n must be an integer; got 2.7"),
    (np.float64(1.5), ValueError, "n must be an integer; got 1.5"),
    (np.inf, ValueError, "n must be an integer; got inf"),
    (np.nan, ValueError, "n must be an integer; got nan"),
    (0, ValueError, "n must be an integer >= 1; got 0"),
    (-3.0, ValueError, "n must be an integer >= 1; got -3"),
    (True, TypeError, "n must be an integer"),
    ("3", TypeError, "n must be an integer"),
    (None, TypeError, "n must be an integer"),
    (1j, TypeError, "n must be an integer"),
    ([1, 2], TypeError, "n must be a single integer"),
])
def test_check_integer_refuses(value, exc, match):
    with pytest.raises(exc, match=match):
        v.check_integer("n", value, low=1)


def test_check_integer_high_and_tracer():
    with pytest.raises(ValueError, match=r"k must be an integer in \[0, 3\]; got 4"):
        v.check_integer("k", 4, low=0, high=3)
    jax.jit(lambda n: v.check_integer("n", n, low=1))(jnp.asarray(0))  # tracer: unchecked, no error


def test_check_spike_times():
    v.check_spike_times("t", [0.0, 1.0, 1.0, 5.0])
    v.check_spike_times("t", np.array([-3.0, 1.0, np.inf, np.inf]))
    v.check_spike_times("t", [])
    cases = [
        ([[0.0, 1.0]], "t must be a 1-D array of spike times; got shape"),
        (5.0, "t must be a 1-D array"),
        ([0.0, np.nan], "t must not contain NaN; got NaN at index 1"),
        ([0.0, np.inf, 3.0], r"t may hold \+inf only as padding at the end; got inf at index 1"),
        ([-np.inf, 0.0], "t may hold"),
        ([0.0, 2.0, 1.0], r"t must be sorted \(non-decreasing\); got 1 after 2 at index 2"),
    ]
    for value, match in cases:
        with pytest.raises(ValueError, match=match):
            v.check_spike_times("t", value)
    with pytest.raises(ValueError, match="t must be >= 0 ms; got -1"):
        v.check_spike_times("t", [-1.0, 2.0], nonnegative=True)
    with pytest.raises(ValueError, match="t must be finite"):
        v.check_spike_times("t", [0.0, np.inf], allow_padding=False)
    with pytest.raises(TypeError, match="t must be"):
        v.check_spike_times("t", ["a"])
    with pytest.raises(TypeError, match="t must be"):
        v.check_spike_times("t", None)


def test_check_choice_and_method():
    assert v.check_choice("read", "after", ("before", "after")) == "after"
    with pytest.raises(ValueError, match=r"read must be one of \('before', 'after'\); got 'later'"):
        v.check_choice("read", "later", ("before", "after"))
    with pytest.raises(ValueError, match="method must be one of"):
        v.check_method(3)
    assert v.check_method("exact") == "exact"


def test_existing_helpers_unchanged():
    with pytest.raises(ValueError, match=r"U must lie in \(0, 1\]; got 1.5"):
        v.check_probability("U", 1.5)
    with pytest.raises(ValueError, match=r"tau must lie in \(0, inf\) ms; got -1, 0"):
        v.check_positive("tau", [-1.0, 0.0, 2.0])
    with pytest.raises(ValueError, match="binary"):
        v.check_binary("train", [0, 2])
    v.check_range("x", None, 0, 1)  # unset optional parameter
    assert v.check_broadcastable(dict(a=np.ones(3), b=1.0)) == (3,)


def test_tracers_skipped_outside_checked_mode():
    out = jax.jit(lambda U: (v.check_probability("U", U), v.check_finite("U", U), U * 2)[-1])(jnp.asarray(5.0))
    assert float(out) == 10.0


def test_checked_mode_raises_the_same_messages():
    def f(U, t):
        v.check_probability("U", U)
        v.check_finite("U", U)
        v.check_spike_times("t", t, nonnegative=True)
        return U * t.sum()

    for jit in (False, True):
        g = v.checked(f, jit=jit)
        assert float(g(jnp.asarray(0.5), jnp.array([0.0, 1.0]))) == 0.5
        with pytest.raises(ValueError, match=r"U must lie in \(0, 1\]; got 2"):
            g(jnp.asarray(2.0), jnp.array([0.0, 1.0]))
        with pytest.raises(ValueError, match="t must be sorted"):
            g(jnp.asarray(0.5), jnp.array([1.0, 0.0]))
        with pytest.raises(ValueError, match="t must be >= 0 ms; got -1"):
            g(jnp.asarray(0.5), jnp.array([-1.0, 0.0]))
        with pytest.raises(ValueError, match="t must (be finite|not contain NaN)"):
            g(jnp.asarray(0.5), jnp.array([jnp.nan, 0.0]))
    # vmap inside the checked function: the offending batch entry is reported
    h = v.checked(jax.vmap(lambda U: (v.check_probability("U", U), U)[1]))
    with pytest.raises(ValueError, match="got -0.5"):
        h(jnp.array([0.5, -0.5]))
