"""Replays of the source documents: parameter sets as data, one batched run, figures and tables.

``homework``   the BrainPy STP homework (8 settings, ``stp-brainpy homework --out DIR``)
``neuromatch`` the Neuromatch synaptic-transmission tutorial
``all``        both, into ``OUT/homework`` and ``OUT/neuromatch``

Every replay module exposes ``run_all(out_dir, overwrite=False, quick=False, progress=False)`` and may
expose ``targets(out_dir, quick=False) -> list[Path]`` (the files it writes), so that ``all`` refuses to
start when any of them exists (without ``overwrite``); :mod:`.plotting` has the shared writers.
"""
