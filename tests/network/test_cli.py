"""``stp-brainpy network`` writes a raster and statistics and refuses to overwrite."""
import json

from stp_brainpy.cli import main


def test_network_command(tmp_path, capsys):
    out = tmp_path / "run"  # created by the command, after the simulation
    args = ["network", "--neurons", "200", "--in-degree", "40", "--duration", "50", "--out", str(out)]
    assert main(args) == 0
    stats = json.loads((out / "stats.json").read_text())
    assert stats["rate_hz"] > 0 and stats["config"]["stp"] is True
    assert stats["config"]["neuron"]["tau_ref"] == 5.0 and stats["config"]["in_degree"] == 40
    assert (out / "raster.png").stat().st_size > 1000
    capsys.readouterr()
    assert main(args + ["--no-stp"]) == 2  # existing outputs: one line, exit 2, files untouched
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: refusing to overwrite")
    assert json.loads((out / "stats.json").read_text())["config"]["stp"] is True
    assert main(args + ["--no-stp", "--overwrite"]) == 0
    assert json.loads((out / "stats.json").read_text())["config"]["stp"] is False
