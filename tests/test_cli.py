"""The top-level command line: version, plain-text help, one-line errors, --debug, real bugs keep their traceback."""
from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys

import pytest

from stp_brainpy import cli

RST = re.compile(r"``|:(func|class|mod|meth|data|attr):`|\.\. \w+::")


def test_version(capsys):
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"stp-brainpy {importlib.metadata.version('stp-brainpy')}"


def test_version_console_script():
    out = subprocess.run([sys.executable, "-m", "stp_brainpy.cli", "--version"], capture_output=True, text=True,
                         check=True).stdout
    assert out.startswith("stp-brainpy ") and out.split()[1][0].isdigit()


@pytest.mark.parametrize("command", [None, *sorted(cli.COMMANDS)])
def test_help_is_plain_text(command, capsys):
    argv = ["--help"] if command is None else [command, "--help"]
    assert cli.main(argv) == 0
    text = capsys.readouterr().out
    assert text.startswith("usage: stp-brainpy")
    assert not RST.search(text), RST.search(text)


def test_sub_subcommand_help_is_plain_text(capsys):
    for model in ("efficacy", "chain", "cond-lif"):
        assert cli.main(["sweep", model, "--help"]) == 0
        text = capsys.readouterr().out
        assert not RST.search(text), (model, RST.search(text))


def test_plain_text():
    assert cli.plain_text("``x`` and :func:`stp_brainpy.sweeps.sweep`, :class:`~a.b.C`, **b**") == \
        "x and stp_brainpy.sweeps.sweep, C, b"
    assert cli.plain_text("Example::\n\n    run") == "Example:\n\n    run"


def _raiser(exc):
    def add_parser(sub):
        p = sub.add_parser("homework")
        p.set_defaults(func=lambda args: (_ for _ in ()).throw(exc))
    return add_parser


@pytest.mark.parametrize("exc", [ValueError("U must lie in (0, 1]; got 1.5"), TypeError("dt must be a number"),
                                 FileExistsError("refusing to overwrite x"), PermissionError(13, "Permission denied", "/x"),
                                 IsADirectoryError(21, "Is a directory", "/d"), ValueError("two\nlines")])
def test_user_errors_are_one_line(exc, monkeypatch, capsys):
    monkeypatch.delenv(cli.DEBUG_ENV, raising=False)
    monkeypatch.setattr("stp_brainpy.replays.homework.add_parser", _raiser(exc))
    assert cli.main(["homework"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err
    if isinstance(exc, OSError) and exc.strerror:
        assert err == f"error: {exc.strerror}: {exc.filename}\n"  # no "[Errno N]"


def test_debug_reraises(monkeypatch):
    monkeypatch.setattr("stp_brainpy.replays.homework.add_parser", _raiser(ValueError("bad")))
    with pytest.raises(ValueError, match="bad"):
        cli.main(["--debug", "homework"])
    with pytest.raises(ValueError, match="bad"):
        cli.main(["homework", "--debug"])
    monkeypatch.setenv(cli.DEBUG_ENV, "1")
    with pytest.raises(ValueError, match="bad"):
        cli.main(["homework"])
    with pytest.raises(cli.UsageError):
        cli.main(["homework", "--nope"])


def test_a_bug_keeps_its_traceback(monkeypatch):
    monkeypatch.delenv(cli.DEBUG_ENV, raising=False)
    monkeypatch.setattr("stp_brainpy.replays.homework.add_parser", _raiser(ZeroDivisionError("bug")))
    with pytest.raises(ZeroDivisionError):
        cli.main(["homework"])


def test_interrupt(monkeypatch, capsys):
    monkeypatch.delenv(cli.DEBUG_ENV, raising=False)
    monkeypatch.setattr("stp_brainpy.replays.homework.add_parser", _raiser(KeyboardInterrupt()))
    assert cli.main(["homework"]) == 130
    assert capsys.readouterr().err == "error: interrupted\n"


def test_subprocess_user_error_has_no_traceback(tmp_path):
    res = subprocess.run([sys.executable, "-m", "stp_brainpy.cli", "homework", "--dt", "200", "--out",
                          str(tmp_path / "x")], capture_output=True, text=True)
    assert res.returncode == 2
    assert res.stderr.splitlines() == ["error: dt must lie in (0, 1] ms (the LIF's refractory period bounds it); "
                                       "got 200"]
    assert not (tmp_path / "x").exists()
