"""The README's bp.dyn projection example (STPExpon in FullProjAlignPreSDMg) runs as written on a default CPU
install, in a fresh interpreter (nothing else has chosen brainevent's backend), and delivers w·g."""
from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"

CHECK = '''
import json as _json
import numpy as _np
import brainpy.math as _bm

class _Net(bp.DynSysGroup):
    def __init__(self):
        super().__init__()
        self.E, self.I, self.proj = E, I, proj

    def update(self):
        self.proj()
        self.E(_bm.asarray(_np.linspace(25., 45., E.num)))  # different rates: g differs per neuron
        self.I()

_net = _Net()
_syn = [v for v in _net.nodes().values() if isinstance(v, STPExpon)][0]
_runner = bp.DSRunner(_net, monitors={"g": _syn.g, "spk": E.spike}, progress_bar=False)
_runner.run(40.)
_g = _np.asarray(_runner.mon["g"])[-1]
_ind, _ptr = _np.asarray(proj.comm.indices), _np.asarray(proj.comm.indptr)
_W = _np.zeros((E.num, I.num))
for _r in range(E.num):
    _W[_r, _ind[_ptr[_r]:_ptr[_r + 1]]] = 0.6
_delivered = _np.asarray(proj.comm(_bm.asarray(_g)))
print(_json.dumps({"before": _before, "after": brainevent.config.get_backend("cpu"),
                   "spikes": int(_np.asarray(_runner.mon["spk"]).sum()), "g_max": float(_g.max()),
                   "g_distinct": int(_np.unique(_np.round(_g, 6)).size),
                   "delivered_err": float(_np.max(_np.abs(_delivered - _g @ _W)))}))
'''


def _block() -> str:
    blocks = [b for b in re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
              if "STPExpon.desc(E.num" in b]
    assert len(blocks) == 1
    return blocks[0]


def test_readme_projection_example_runs_standalone(tmp_path):
    script = tmp_path / "example.py"
    # the prefix only records brainevent's backend before the example imports anything of the package
    script.write_text("import brainevent\n_before = brainevent.config.get_backend('cpu')\n" + _block() + CHECK)
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["before"] is None
    if importlib.util.find_spec("numba") is None:
        assert out["after"] == "jax_raw"
    assert out["spikes"] > 0 and out["g_max"] > 0 and out["g_distinct"] > 2
    assert out["delivered_err"] < 1e-5  # w·g per synapse, not w per non-zero g


def test_backend_choice_is_respected():
    """A backend chosen before the import is kept; with numba missing and none chosen, jax_raw."""
    code = ("import brainevent\nbrainevent.config.set_backend('cpu', 'numba')\n"
            "from stp_brainpy.synapses import ensure_event_backend\n"
            "print(brainevent.config.get_backend('cpu'), ensure_event_backend())")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["numba", "numba"]
