"""stp_brainpy._memory: the one memory reader and the one byte formatter (network sizes and sweeps share them)."""
from __future__ import annotations

import pytest

from stp_brainpy import _memory
from stp_brainpy.network import sizes
from stp_brainpy.sweeps import planning


@pytest.mark.parametrize("n, text", [
    (0, "0 B"), (1023, "1023 B"), (1024, "1 KiB"), (1536, "1.5 KiB"), (512 * 2**20, "512 MiB"),
    (1.49 * 2**30, "1.49 GiB"), (1023.9 * 2**10, "1 MiB"),  # not "1.02e+03 KiB"
    (999 * 2**20, "999 MiB"), (5 * 2**40, "5 TiB"), (2**52, "4096 TiB"),
])
def test_format_bytes(n, text):
    assert _memory.format_bytes(n) == text


def test_one_formatter_and_one_reader():
    assert sizes.format_bytes is _memory.format_bytes and planning.format_bytes is _memory.format_bytes
    assert sizes.available_memory is _memory.available_memory is planning.available_memory
    assert _memory.available_memory() > 0
