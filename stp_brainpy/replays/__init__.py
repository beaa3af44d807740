"""Replays of the source documents: parameter sets as data, one batched run, figures and tables.

``homework``   the BrainPy STP homework (8 settings, ``stp-brainpy homework --out DIR``)
``neuromatch`` the Neuromatch synaptic-transmission tutorial (a package: parameters, sections, figures, files)
``all``        both, into ``OUT/homework`` and ``OUT/neuromatch``

Every replay exposes ``run_all(out_dir, overwrite=False, quick=False, progress=False)`` and may
expose ``targets(out_dir, quick=False) -> list[Path]`` (the files it writes), so that ``all`` refuses to
start when any of them exists (without ``overwrite``). A replay checks its arguments, its output
folder and its targets before it simulates, and writes nothing when a check fails;
:mod:`.plotting` has the shared checks, writers and command-line options.
"""
