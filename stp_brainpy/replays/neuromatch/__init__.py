"""The Neuromatch tutorial "Synaptic transmission — models of static and dynamic synapses", replayed.

Each section is one function returning its numbers (NumPy arrays / floats, one batched JAX call)
and one drawing its figure. Tutorial-exact by default: forward Euler (``method='euler'``), the
tutorial's index conventions and defaults; ``method='exact'`` integrates exactly between steps.

======================  ==============================================  =========================
section                 numbers                                         figure
======================  ==============================================  =========================
Exercise 1.2            :func:`fmp_exercise`                            :func:`plot_fmp_exercise`
E/I explorer (grid)     :func:`ei_grid`                                 :func:`plot_ei_grid`
STD / STF explorers     :func:`stp_explorer`, :func:`stp_explorers`     :func:`plot_stp_explorer`
g₁, g₁₀, g₁₀/g₁         :func:`g_ratio_curves`                          :func:`plot_g_ratio`
bonus: LIF with STP     :func:`bonus`, :func:`bonus_trace`              :func:`plot_bonus`, :func:`plot_bonus_trace`
======================  ==============================================  =========================

Modules: ``parameters`` (the tutorial's numbers, named once), ``membrane`` (Exercise 1.2, E/I
grid), ``synapses`` (explorers, g ratios), ``bonus``, ``figures``, ``files`` (tables and
:func:`run_all`); ``checks`` and ``stats`` serve them. Every function checks its arguments
eagerly (``ValueError``/``TypeError`` naming the parameter). ``stp-brainpy neuromatch --out DIR``
(or :func:`run_all`) writes every figure and the tables.

>>> from stp_brainpy.replays import neuromatch as nm
>>> res = nm.g_ratio_curves()
>>> [round(float(v), 3) for v in res["STD"]["ratio"][:3]]   # g10/g1 at 5, 10, 15 Hz
[0.935, 0.817, 0.716]
"""
from __future__ import annotations

from .bonus import bonus, bonus_trace
from .figures import plot_bonus, plot_bonus_trace, plot_ei_grid, plot_fmp_exercise, plot_g_ratio, plot_stp_explorer
from .files import add_parser, figure_names, run_all, table_names, tables, targets
from .membrane import ei_grid, fmp_exercise
from .parameters import DT, EXC_RATES, EXPLORER_CASES, G_BAR, INH_RATES, RATIO_RATES, SYNAPSES, TAU_RATIOS, TAU_S
from .synapses import g_ratio_curves, stp_explorer, stp_explorers

__all__ = ["SYNAPSES", "EXC_RATES", "INH_RATES", "TAU_RATIOS", "RATIO_RATES", "EXPLORER_CASES", "G_BAR", "TAU_S",
           "DT", "fmp_exercise", "plot_fmp_exercise", "ei_grid", "plot_ei_grid", "stp_explorer", "stp_explorers",
           "plot_stp_explorer", "g_ratio_curves", "plot_g_ratio", "bonus", "bonus_trace", "plot_bonus",
           "plot_bonus_trace", "tables", "figure_names", "table_names", "targets", "run_all", "add_parser"]
