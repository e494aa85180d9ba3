"""Take the README's screenshot of a report: the first screen of the Inner Mongolia run's report in headless Chromium.

    PYTHONPATH=. python docs/report_screenshot.py     # writes docs/img/report.png (needs Chromium)

The report is the one ``gpdc run scenarios/inner_mongolia_datacentre.toml --traces`` followed by
``gpdc report`` gives; the screenshot shows what a reader sees first, at 1200 x 900 CSS pixels.
Chinese text needs a CJK font on the machine (Debian: fonts-wqy-microhei or fonts-noto-cjk).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import gpdc
from gpdc.report.browser import open_page
from gpdc.report.data import load
from gpdc.report.html import render, write_html

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        result = gpdc.simulate(ROOT / "scenarios" / "inner_mongolia_datacentre.toml", traces=True)
        h5 = gpdc.write_results(Path(tmp) / "inner_mongolia_datacentre.h5", result.totals, result.traces,
                                groups={"cash_flow": result.cash_flow})
        html = write_html(Path(tmp) / "report.html", render(load(h5)))
        with open_page(html, width_px=1200, height_px=900) as page:
            png = page.screenshot()
    out = ROOT / "docs" / "img" / "report.png"
    out.write_bytes(png)
    print(f"{out}: {len(png):,} bytes")
