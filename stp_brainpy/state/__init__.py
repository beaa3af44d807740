"""stp_brainpy for brainpy.state (brainstate + brainunit): the package's models as brainstate modules.

Thin skins over the one pure-JAX core (:mod:`stp_brainpy.core`): every equation is computed there.
Imported only when used (``import stp_brainpy`` does not import brainstate).

=======================  ===================================================================
:class:`PresynapticSTP`  per-presynaptic TM STP (exact, u⁺x⁻), a pre-processing module for
                         brainpy.state projections (``DeltaProj``, ``AlignPostProj``)
:class:`EventConn`       static event-driven ``comm`` that multiplies graded values (efficacies)
:class:`EventSTPComm`    per-synapse TM STP ``comm`` (heterogeneous parameters, event-driven:
                         decayed from the source's last spike)
:class:`EventSTPProj`    ``brainpy.state.DeltaProj`` with an :class:`EventSTPComm`
:class:`ConductanceLIF`  the package's conductance LIF (tutorial and COBA neuron) as a
                         brainpy.state neuron with ``gE``, ``gI`` (delta inputs ``'w_ex'``/``'w_in'``)
:class:`COBAStateNet`    the COBA(-STP) benchmark network assembled from the above
:func:`run`              a ``brainstate.transform.for_loop`` over steps that records what you ask
=======================  ===================================================================

Synaptic delays: :class:`EventConn`, :class:`EventSTPComm` and :class:`EventSTPProj` take ``delay`` (ms or a
Quantity; one value, or one per synapse), on the ``dt`` grid by the package's one rule (a spike acts
``max(1, round(delay/dt))`` steps after emission, :mod:`stp_brainpy.state.delays`); ``conn`` may be a
``bp.conn`` connector (with ``n_pre``, ``n_post``).

Parameters take brainunit Quantities (checked dimensions) or bare numbers in ms, mV, nS, pA. States
use ``brainstate.environ.dftype()`` (``brainstate.environ.set(precision=64)`` for float64); ``dt`` and
the time ``t`` come from ``brainstate.environ`` as in every brainpy.state model (:func:`run` sets
``t`` per step). The notebook ``notebooks/state.ipynb`` compares with brainpy.state's own ``STP``.
Projection types in the pinned stack (brainpy_state 0.1.0, brainstate 0.5.4, brainevent 0.2.1;
``tests/state/test_projection_types.py`` checks each line):

- ``brainpy.state.DeltaProj(stp, comm=EventConn(...), post, label='w_ex')``: works, conductance jumps
  into a :class:`ConductanceLIF` (or ``iaf_cond_exp``);
- ``brainpy.state.AlignPostProj(stp, comm=..., syn=Expon.desc(...), out=COBA.desc(...), post)``: works,
  efficacies into brainpy.state's own synapse and output, any brainpy.state neuron;
- ``align_post_projection(pre, stp, comm=EventConn(...), ...)``: works (STP chained as a spike generator);
- ``align_post_projection(..., stp=...)``, ``align_pre_projection(..., stp=...)``: fail, they wrap the STP
  output in ``brainevent.MaskedFloat``, absent in 0.2.1;
- ``comm=brainstate.nn.EventFixedProb`` after an STP module: runs but treats the efficacies as binary
  events (the efficacy is lost); use :class:`EventConn`, ``Linear``, ``SparseLinear``.

brainevent's default CPU backend is numba, which the package does not install; then every brainevent
event operator (``EventFixedProb``, brainevent ``CSR`` products, brainpy.state's plastic projections)
fails with ``KernelCompilationError ... No module named 'numba'``. Importing this module selects
brainevent's pure-JAX ``'jax_raw'`` CPU backend in that case only (:func:`ensure_event_backend`: a
backend chosen before, or an installed numba, is left alone). The package's own modules never need
it: their delivery is :func:`stp_brainpy.network.events.deliver`.
"""
from ._env import dt_ms, ensure_event_backend, t_ms
from .comm import EventConn, EventSTPComm, EventSTPProj, as_connectivity
from .network import COBAStateNet
from .neurons import ConductanceLIF
from .run import run
from .stp import PresynapticSTP

ensure_event_backend()

__all__ = ["PresynapticSTP", "EventConn", "EventSTPComm", "EventSTPProj", "ConductanceLIF", "COBAStateNet", "run",
           "as_connectivity", "dt_ms", "t_ms", "ensure_event_backend"]
