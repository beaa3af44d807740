"""Command line: ``stp-brainpy <command> ...``.

Each sub-command lives next to the code it drives; this module only dispatches. A command
module exposes ``add_parser(subparsers)`` which registers its parser and sets ``func`` (called
with the parsed namespace, returns an exit code).

User errors never end in a traceback: a bad flag, a refused value (``ValueError``/``TypeError``
from the validation every command runs before it simulates or writes) or a filesystem refusal
(``OSError``: existing files, permissions, a file where a folder should be) prints ONE line
``error: ...`` on stderr and exits 2. ``--debug`` (or ``STP_BRAINPY_DEBUG=1``) re-raises instead,
for a full traceback. Any other exception is a bug and keeps its traceback.

Commands keep JAX's compiled programs between runs (:func:`stp_brainpy._cache.enable_compilation_cache`;
``STP_BRAINPY_JAX_CACHE=0`` turns it off), so a repeated command skips most of its compile time.
"""
from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from typing import Sequence

from ._cache import enable_compilation_cache

# command name -> module that defines it (imported only when that command runs)
COMMANDS = {
    "homework": "stp_brainpy.replays.homework",
    "neuromatch": "stp_brainpy.replays.neuromatch",
    "all": "stp_brainpy.replays.all",
    "sweep": "stp_brainpy.sweeps.cli",
    "plot": "stp_brainpy.sweeps.cli",
    "network": "stp_brainpy.network.cli",
    "wm": "stp_brainpy.replays.wm_cli",
    "fit": "stp_brainpy.fitting.cli",
}

EXIT_USAGE = 2
DEBUG_ENV = "STP_BRAINPY_DEBUG"
USER_ERRORS = (ValueError, TypeError, OSError)


class UsageError(Exception):
    """A command line argparse refused (unknown flag, bad value, missing argument)."""


_ROLE = re.compile(r":(?:py:)?(?:func|class|meth|mod|data|attr|obj|exc|const|ref|doc|term):`~?([^`]+)`")
_LITERAL = re.compile(r"``([^`]+)``")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")


def plain_text(text: str | None) -> str | None:
    """``text`` without reST markup: ````x```` → x, ``:func:`f``` → f, ``**b**`` → b, ``.. math::`` dropped."""
    if not text:
        return text
    text = _ROLE.sub(lambda m: m.group(1).split(".")[-1] if m.group(0).count("~") else m.group(1), text)
    text = _LITERAL.sub(r"\1", text)
    text = _BOLD.sub(r"\1", text)
    text = re.sub(r"^\s*\.\. \w+::.*$\n?", "", text, flags=re.M)
    return text.replace("::\n", ":\n")


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the line breaks of descriptions (tables, examples) and strips reST from every text."""

    def _format_text(self, text):
        return super()._format_text(plain_text(text))

    def _expand_help(self, action):
        return plain_text(super()._expand_help(action))


class Parser(argparse.ArgumentParser):
    """``ArgumentParser`` whose errors raise :class:`UsageError` (printed as one line by :func:`main`)."""

    def __init__(self, *args, **kwargs):
        kwargs["formatter_class"] = _Formatter  # every sub-command gets plain-text help
        super().__init__(*args, **kwargs)

    def error(self, message):
        raise UsageError(message, self.prog)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("stp-brainpy")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown (not installed)"


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    parser = Parser(prog="stp-brainpy", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.add_argument("--debug", action="store_true",
                        help=f"show the full traceback of an error (also: {DEBUG_ENV}=1)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    wanted = [a for a in (argv or []) if a in COMMANDS][:1] or list(COMMANDS)
    loaded = set()
    for name in wanted:
        module = COMMANDS[name]
        if module in loaded:
            continue
        loaded.add(module)
        importlib.import_module(module).add_parser(sub)
    return parser


def _one_line(err: BaseException, argv: Sequence[str]) -> str:
    if isinstance(err, UsageError):
        message, prog = err.args
        command = next((a for a in argv if a in COMMANDS), None)
        if command and prog == "stp-brainpy" and message.startswith("unrecognized arguments"):
            # the top-level parser reports a sub-command's extra arguments
            prog = f"stp-brainpy {command}"
        return f"error: {prog}: {message} (see {prog} --help)"
    msg = str(err)
    if isinstance(err, OSError) and err.strerror:  # "[Errno 13] Permission denied: 'x'" → "Permission denied: x"
        msg = err.strerror + "".join(f": {f}" for f in (err.filename, err.filename2) if f)
    msg = " ".join(msg.split()) or type(err).__name__
    return f"error: {msg}"


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # --debug is honoured anywhere on the line (and before parsing, so a usage error can re-raise too)
    debug = "--debug" in argv or os.environ.get(DEBUG_ENV, "") not in ("", "0")
    argv = [a for a in argv if a != "--debug"]
    try:
        parser = build_parser(argv)
        try:
            args = parser.parse_args(argv)
        except SystemExit as done:  # --help, --version
            return int(done.code or 0)
        except UsageError as err:
            if "argument COMMAND" not in err.args[0]:
                raise
            # only the named command's parser was built: the full one words the error (all choices)
            args = build_parser().parse_args(argv)
        enable_compilation_cache()
        return int(args.func(args) or 0)
    except (UsageError, *USER_ERRORS) as err:
        if debug:
            raise
        print(_one_line(err, argv), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        if debug:
            raise
        print("error: interrupted", file=sys.stderr)
        return 130


def entry() -> None:
    """The ``stp-brainpy`` command: :func:`main` in a process of its own.

    At exit the process skips the final garbage collections over JAX's object graph (``gc.freeze``): they took
    ~0.2 s of every process that imported jax (exit 0.2 -> 0.04 s), a sixth of a whole COBA-STP run with warm
    caches. Only this process's shutdown changes (objects are still freed by reference counting), which is why
    it is here and not in :func:`main`, which other programs call."""
    import atexit
    import gc

    atexit.register(gc.freeze)  # handlers run last-in first-out: jax's own, registered earlier, still run
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    entry()
