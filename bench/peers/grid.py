# Reads the benchmark grid (grid.json) for the Python peer scripts; ort_grid.mjs
# reads the same file the same way.
import json
import os
import re

GRID_JSON = os.path.join(os.path.dirname(os.path.abspath(__file__)), "grid.json")


def row_name(row):
    """The row's name in the rnnc benchmark convention, without backend and threads."""
    return "{cell}/{direction}/T:{T}/N:{N}/I:{I}/H:{H}".format(**row)


def load_rows(quick=False, rows_regex=None):
    """Expands grid.json's full (or quick) grid into rows, optionally filtered by a
    regular expression searched in row_name(row)."""
    with open(GRID_JSON) as f:
        spec = json.load(f)["quick" if quick else "full"]
    entries = [(cell, "forward", shape) for cell in spec["cells"] for shape in spec["shapes"]]
    entries += [(e["cell"], e["direction"], e["shape"]) for e in spec["extra"]]
    rows = [dict(cell=cell, direction=direction, T=T, N=N, I=I, H=H)
            for cell, direction, (T, N, I, H) in entries]
    if rows_regex:
        rows = [r for r in rows if re.search(rows_regex, row_name(r))]
    return rows
