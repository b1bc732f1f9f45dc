"""``report.pdf``: the report's HTML printed to A4 by headless Chromium (Debian's ``chromium`` package).

Chromium lays the page out with the report's print CSS (``@page`` A4, the executive summary alone on
page 1), so the PDF is what a reader gets from the browser's Print. Where no Chromium is installed,
:func:`print_pdf` raises :class:`ReportError` saying so; the HTML is written either way.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from sim.report.data import ReportError
from sim.results.files import atomic_write

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT_S = 180  # a 30-page report prints in a few seconds; a hung browser should not hang the CLI


def find_chromium() -> str | None:
    """The path of a Chromium (or Chrome) executable: $GPSIM_CHROMIUM, else the first of BROWSERS on PATH."""
    env = os.environ.get("GPSIM_CHROMIUM")
    if env:
        return env if Path(env).is_file() else None
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def chromium_command(chromium: str, html: Path, pdf: Path, profile: Path) -> list[str]:
    """The headless print command (no header or footer, a throwaway profile, no network use)."""
    return [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-pdf-header-footer", f"--user-data-dir={profile}", f"--print-to-pdf={pdf}",
            html.resolve().as_uri()]


def print_pdf(html: Path, pdf: Path) -> Path:
    """Print ``html`` to ``pdf`` (A4, as the print CSS lays it out); ReportError without Chromium or on failure."""
    chromium = find_chromium()
    if chromium is None:
        raise ReportError("cannot write report.pdf: no Chromium found (install Debian's 'chromium' package, or set "
                          "GPSIM_CHROMIUM to a Chromium or Chrome executable); report.html is written and prints "
                          "to A4 from any browser")
    with tempfile.TemporaryDirectory(prefix="gpsim-pdf-") as tmp:
        out = Path(tmp) / "report.pdf"
        try:
            proc = subprocess.run(chromium_command(chromium, html, out, Path(tmp) / "profile"),
                                  capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            raise ReportError(f"cannot write report.pdf: {chromium} did not finish in {TIMEOUT_S} s") from None
        if not out.is_file() or out.stat().st_size == 0:
            raise ReportError(f"cannot write report.pdf: {chromium} exited {proc.returncode} without a PDF "
                              f"({proc.stderr.strip()[-400:]})")
        data = out.read_bytes()
    return atomic_write(pdf, lambda p: p.write_bytes(data))
