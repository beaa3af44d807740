"""Multi-host: two processes joined by jax.distributed (CPU, gloo collectives), 2 host devices each."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap

import jax
import numpy as np
import pytest
import xarray as xr

from stp_brainpy.sweeps import product, sweep
from stp_brainpy.sweeps.models import EFFICACY_DIMS, stp_efficacy

AXES = dict(U=[0.1, 0.3, 0.5], tau_d=[100.0, 300.0], tau_f=[50.0], rate=[10.0, 20.0, 30.0])

_PROCESS = textwrap.dedent("""
    import sys
    import jax
    pid, port, store, out = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    jax.distributed.initialize(coordinator_address=f"127.0.0.1:{port}", num_processes=2, process_id=pid)
    import numpy as np
    from stp_brainpy.sweeps import sweep, product
    from stp_brainpy.sweeps.models import stp_efficacy, EFFICACY_DIMS
    assert jax.process_count() == 2 and len(jax.devices()) == 4 and len(jax.local_devices()) == 2
    axes = dict(U=[0.1, 0.3, 0.5], tau_d=[100.0, 300.0], tau_f=[50.0], rate=[10.0, 20.0, 30.0])
    ds = sweep(stp_efficacy, product(**axes), chunk_size=8, store=store, out_dims=EFFICACY_DIMS)
    np.save(out, ds.efficacy.values)
    again = sweep(stp_efficacy, product(**axes), chunk_size=8, store=store, out_dims=EFFICACY_DIMS)
    assert np.array_equal(again.efficacy.values, ds.efficacy.values)  # finished store: read, on every process
    try:  # a different sweep into the store: refused on every process, not only on process 0
        sweep(stp_efficacy, product(**axes), seeds=2, chunk_size=8, store=store, out_dims=EFFICACY_DIMS)
        raise SystemExit("a different sweep was accepted")
    except ValueError as err:
        assert "store" in str(err)
    jax.distributed.shutdown()
""")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_two_processes_share_one_sweep(tmp_path):
    store, port = tmp_path / "store", str(_free_port())
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=2", JAX_PLATFORMS="cpu")
    procs = [subprocess.Popen([sys.executable, "-c", _PROCESS, str(i), port, str(store), str(tmp_path / f"p{i}.npy")],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for i in (0, 1)]
    logs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], "\n".join(log[-1500:] for log in logs)
    # 4 global devices × 2 settings each per chunk == one device with 2 per chunk: bitwise.
    ref = sweep(stp_efficacy, product(**AXES), chunk_size=2, out_dims=EFFICACY_DIMS,
                devices=jax.devices("cpu")[:1]).efficacy.values  # the processes run on CPU devices
    for i in (0, 1):  # every process gets the whole result
        np.testing.assert_array_equal(np.load(tmp_path / f"p{i}.npy"), ref)
    with xr.open_dataset(store / "result.nc") as ds:  # process 0 wrote the store
        np.testing.assert_array_equal(ds.efficacy.values, ref)
        assert ds.attrs["n_devices"] == 4
