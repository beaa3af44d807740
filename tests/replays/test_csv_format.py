"""Tables the replays write show the computed float32 values, not their float64 widening noise."""
from __future__ import annotations

import csv
import io
import json
import re

import numpy as np

from stp_brainpy.replays import homework
from stp_brainpy.replays.plotting import clean_floats, csv_text, format_number

# more than 9 significant digits cannot come from a float32 (9 always suffice to read one back)
_NOISE = re.compile(r"\d\.?\d{10,}")


def test_format_number_shortest_float32():
    assert format_number(np.float32(0.2)) == "0.2"
    assert format_number(float(np.float32(0.2))) == "0.2"  # widened already: same value
    assert format_number(0.1 + 0.2) == "0.30000000000000004"  # a true float64 keeps its digits
    assert format_number(np.float32(1e-30)) == "1e-30"
    assert format_number(float("nan")) == "nan" and format_number(np.float32(np.inf)) == "inf"
    assert format_number(np.int32(3)) == 3 and format_number(True) is True and format_number("x") == "x"


def test_csv_text_and_json_without_noise():
    text = csv_text(("a", "b"), [(np.float32(0.2), float(np.float32(0.7)))])
    assert text == "a,b\n0.2,0.7\n"
    assert json.dumps(clean_floats({"v": np.array([0.2, 0.3], np.float32), "w": [float(np.float32(0.1))]})) \
        == '{"v": [0.2, 0.3], "w": [0.1]}'


def test_homework_tables_show_no_float32_noise():
    result = homework.simulate()  # float32, as the command runs
    files = homework.tables(homework.summarize(result), result)
    for name, text in files.items():
        if name.endswith(".csv"):
            for row in csv.reader(io.StringIO(text)):
                for cell in row:
                    assert not _NOISE.fullmatch(cell.lstrip("-")), (name, cell)
        else:
            for o in _floats(json.loads(text)):
                assert not _NOISE.fullmatch(repr(abs(o))), (name, o)


def _floats(o):
    if isinstance(o, dict):
        o = list(o.values())
    if isinstance(o, list):
        for v in o:
            yield from _floats(v)
    elif isinstance(o, float):
        yield o
