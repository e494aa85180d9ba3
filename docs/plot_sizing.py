"""Draw the sizing figures of docs/sizing.md: `gpdc size` on each ready scenario with a [sizing] table.

    PYTHONPATH=. python docs/plot_sizing.py     # writes docs/img/sizing_<scenario>.png
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from gpdc.plot.sizing import plot_sizing
from gpdc.scenario.load import load_scenario
from gpdc.sizing import size, spec_from
from gpdc.sizing.report import compliance_map

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("sizing")
        if not table:
            continue
        res = size(load_scenario(path), spec_from(table))
        out = plot_sizing(ROOT / "docs" / "img" / f"sizing_{path.stem}.png", res, compliance_map(res))
        print(f"{out}: best {res.design()}")
