"""The homework's own code (brainmodels, bp.StructRunner) runs unchanged after `import stp_brainpy.compat`."""
from __future__ import annotations

import importlib
import sys
import warnings

import numpy as np
import pytest
from tm_reference import tm_events as np_event_efficacies

# The homework's code text, verbatim apart from the notebook magic `%matplotlib inline`, with the one added line.
HOMEWORK_CODE = '''
import brainpy as bp
import brainpy.math as bm
import stp_brainpy.compat
import brainmodels
import matplotlib.pyplot as plt

def STP_run_and_plot(U, tau_d, tau_f, name):
    neu1 = brainmodels.neurons.LIF(1)
    neu2 = brainmodels.neurons.LIF(1)
    syn1 = brainmodels.synapses.STP(neu1, neu2, bp.connect.All2All(), U=U,
    tau_d=tau_d, tau_f=tau_f)
    net = bp.Network(pre=neu1, syn=syn1, post=neu2)

    # run
    runner = bp.StructRunner(net, inputs=[('pre.input', 28.)], monitors=
    ['syn.I', 'syn.u', 'syn.x'])
    runner.run(150.)

    # plot

    fig, gs = bp.visualize.get_figure(2, 1, 3, 7)

    fig.add_subplot(gs[0, 0])
    plt.plot(runner.mon.ts, runner.mon['syn.u'][:, 0], label='u')
    plt.plot(runner.mon.ts, runner.mon['syn.x'][:, 0], label='x')
    plt.legend()

    fig.add_subplot(gs[1, 0])
    plt.plot(runner.mon.ts, runner.mon['syn.I'][:, 0], label='I')
    plt.legend()


    plt.xlabel('Time (ms)')
    plt.savefig(name, dpi=1000, bbox_inches='tight')
    plt.show()
'''


def test_homework_code_runs_and_std_traces_match(x64, tmp_path, monkeypatch):
    import brainpy as bp
    import matplotlib.pyplot as plt

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # asserted in the next test
        import stp_brainpy.compat as compat

    runners = []

    class Recording(compat.StructRunner):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            runners.append(self)

    ns: dict = {}
    exec(compile(HOMEWORK_CODE, "homework", "exec"), ns)
    monkeypatch.setattr(bp, "StructRunner", Recording)  # records the runner; the homework code is unchanged
    ns["STP_run_and_plot"](U=0.2, tau_d=150.0, tau_f=2.0, name=str(tmp_path / "STD.jpg"))
    plt.close("all")
    assert (tmp_path / "STD.jpg").stat().st_size > 10_000

    (runner,) = runners
    ts = np.asarray(runner.mon.ts)
    u, x, I = (np.asarray(runner.mon[f"syn.{k}"])[:, 0] for k in ("u", "x", "I"))
    dt, tau_s = 0.1, 8.0
    spikes = np.flatnonzero(np.diff(np.concatenate([[1.0], x])) < 0)  # x drops only at a release
    assert len(spikes) == 10
    u_plus, x_minus, eff = np_event_efficacies(ts[spikes], 0.2, 2.0, 150.0)
    np.testing.assert_allclose(u[spikes], u_plus, rtol=1e-12)
    np.testing.assert_allclose(x[spikes], x_minus - eff, rtol=1e-12)
    jumps = I[spikes] - I[spikes - 1] * np.exp(-dt / tau_s)
    np.testing.assert_allclose(jumps, eff, rtol=1e-10)
    # regular train (ISI 15.2 ms from the LIF): the efficacies approach the closed-form steady state
    isi = 15.2
    np.testing.assert_allclose(np.diff(ts[spikes]), isi, rtol=1e-9)
    u_inf = 0.2 / (1 - 0.8 * np.exp(-isi / 2.0))
    x_inf = (1 - np.exp(-isi / 150.0)) / (1 - (1 - u_inf) * np.exp(-isi / 150.0))
    assert abs(eff[-1] - u_inf * x_inf) < 0.01 and eff[0] == pytest.approx(0.2)
    # between spikes I decays exactly with tau_s
    between = np.setdiff1d(np.arange(1, len(I)), spikes)
    np.testing.assert_allclose(I[between], I[between - 1] * np.exp(-dt / tau_s), rtol=1e-12, atol=1e-300)


def test_shim_contents_warning_and_uninstall():
    import brainpy as bp

    import stp_brainpy.compat as compat
    from stp_brainpy.neurons import LIF
    from stp_brainpy.synapses import STP

    compat._warned = False
    with pytest.warns(FutureWarning, match="shim"):
        compat.install()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compat.install()  # warns once only
    import brainmodels
    from brainmodels.synapses import STP as ShimSTP

    assert brainmodels.neurons.LIF is LIF and ShimSTP is STP
    assert bp.StructRunner is compat.StructRunner and issubclass(bp.StructRunner, bp.DSRunner)
    compat.uninstall()
    assert "brainmodels" not in sys.modules and not hasattr(bp, "StructRunner")
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("brainmodels")
    compat.install()


def test_shim_refuses_bad_input_like_the_package():
    import brainpy as bp

    import stp_brainpy.compat

    stp_brainpy.compat.install()
    import brainmodels

    pre, post = brainmodels.neurons.LIF(1), brainmodels.neurons.LIF(1)
    with pytest.raises(ValueError, match=r"U must lie in \(0, 1\]; got 1.5"):
        brainmodels.synapses.STP(pre, post, bp.connect.All2All(), U=1.5)
    with pytest.raises(TypeError, match="tau_d must be"):
        brainmodels.synapses.STP(pre, post, bp.connect.All2All(), tau_d="150")
    with pytest.raises(ValueError, match="size must be an integer; got 1.5"):
        brainmodels.neurons.LIF(1.5)
    net = bp.Network(pre=pre, post=post)
    with pytest.raises(ValueError, match=r"dt must lie in \(0, inf\) ms; got -0.1"):
        bp.StructRunner(net, dt=-0.1)
    with pytest.raises(TypeError, match="target must be a brainpy DynamicalSystem"):
        bp.StructRunner("net")
