"""The CPU compiler options of the fused scan (kernels.compiler_options) and their environment switch."""
import jax
import pytest

from stp_brainpy.network.kernels import compiler_options


@pytest.mark.skipif(jax.default_backend() != "cpu", reason="the options are CPU-only")
def test_vector_width_switch(monkeypatch):
    monkeypatch.delenv("STP_BRAINPY_VECTOR_WIDTH", raising=False)
    assert compiler_options() == {"xla_cpu_prefer_vector_width": 512}
    monkeypatch.setenv("STP_BRAINPY_VECTOR_WIDTH", "256")
    assert compiler_options() is None
    monkeypatch.setenv("STP_BRAINPY_VECTOR_WIDTH", "1024")
    with pytest.raises(ValueError, match=r"STP_BRAINPY_VECTOR_WIDTH must be 256 or 512; got '1024'"):
        compiler_options()
