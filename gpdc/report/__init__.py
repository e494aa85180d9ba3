"""Reports people read: an HTML report, Excel and tidy CSV, and the green-power delivery record.

* :mod:`.data` — what a results file (run, sweep, sizing) holds, ready for a report;
* :mod:`.tables` — the report's tables, shared by HTML and Excel;
* :mod:`.sensitivity` — the built-in ±20 % sensitivity study;
* :mod:`.html` — one self-contained HTML page (``gpdc report``);
* :mod:`.xlsx` — Excel workbook and tidy CSV (``gpdc export``);
* :mod:`.ledger` — the hourly delivery record with its SHA-256 chain (``gpdc run --ledger``,
  ``gpdc verify``);
* :mod:`.browser` — headless Chromium over the DevTools pipe (``gpdc report --pdf``, the tests).

Nothing below this package imports it; it reads results through :mod:`gpdc.io` and writes
atomically through :func:`gpdc.io.atomic.atomic_path`.
"""
