"""``stp-brainpy network`` writes a raster and statistics and refuses to overwrite."""
import json

import pytest

from stp_brainpy.cli import main


def test_network_command(tmp_path):
    args = ["network", "--neurons", "200", "--in-degree", "40", "--duration", "50", "--out", str(tmp_path)]
    assert main(args) == 0
    stats = json.loads((tmp_path / "stats.json").read_text())
    assert stats["rate_hz"] > 0 and stats["config"]["stp"] is True
    assert (tmp_path / "raster.png").stat().st_size > 1000
    with pytest.raises(SystemExit, match="overwrite"):
        main(args + ["--no-stp"])
    assert main(args + ["--no-stp", "--overwrite"]) == 0
    assert json.loads((tmp_path / "stats.json").read_text())["config"]["stp"] is False
