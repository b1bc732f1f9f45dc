"""The board report printed to A4 by headless Chromium: page count, the summary first, no table cut off.

A comparison of five scenarios with long names (the widest headline and strain tables the report
makes) is printed with ``gpsim report --pdf``. pdfplumber reads every character's position: nothing
may lie in the right or left page margin (Chromium draws a too-wide table on into the margin and
cuts it at the paper's edge), and page 1 is the executive summary alone. A deliberately too-wide
table printed the same way shows the check catches an overflow. Saves ``outputs/report-page-*.png``
where pdftoppm is installed, for people to look at.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from sim.cli.main import main
from sim.report.pdf import find_chromium, print_pdf
from tests.conftest import ROOT
from tests.functional.test_report import two_pcn_mapping

pytestmark = pytest.mark.browser

pdfplumber = pytest.importorskip("pdfplumber", reason="pdfplumber is not installed (pip install pdfplumber)")

MARGIN_PT = 12 / 25.4 * 72  # the print CSS's left and right page margin, 12 mm
TOLERANCE_PT = 1.0


def _need_chromium() -> None:
    if find_chromium() is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); gpsim report --pdf needs it")


def overflow(pdf_path: Path) -> list[str]:
    """Characters and images in the left or right margin of any page: 'page N: "text" at x'."""
    out = []
    with pdfplumber.open(pdf_path) as pdf:
        for n, page in enumerate(pdf.pages, start=1):
            lo, hi = MARGIN_PT - TOLERANCE_PT, page.width - MARGIN_PT + TOLERANCE_PT
            bad = [c for c in page.chars if c["x0"] < lo or c["x1"] > hi]
            if bad:
                out.append(f'page {n}: "{"".join(c["text"] for c in bad[:40])}" at x up to '
                           f'{max(c["x1"] for c in bad):.0f} of {page.width:.0f} pt')
            out += [f"page {n}: an image from x {im['x0']:.0f} to {im['x1']:.0f}" for im in page.images
                    if im["x0"] < lo or im["x1"] > hi]
    return out


@pytest.fixture(scope="module")
def wide_comparison(tmp_path_factory) -> Path:
    """Five scenarios with long names, 30 days, 2 replications: the report's widest tables."""
    from sim.experiments.compare import finish, plan, run_task

    root = tmp_path_factory.mktemp("pdf")
    base = two_pcn_mapping(days=30) | {"name": "baseline-east-london-federation"}
    (root / "base.yaml").write_text(yaml.safe_dump(base))
    files = [root / "base.yaml"]
    for k, share in enumerate((0.2, 0.35, 0.5, 0.65)):
        f = root / f"wave{k}.yaml"
        f.write_text(f"extends: base.yaml\nname: retirement-wave-of-gps-aged-50-and-over-{int(share * 100)}pct\n"
                     "interventions:\n"
                     f"- {{type: retirement, wave: {{role: GP, min_age: 50, share: {share}, over_months: 1}}}}\n")
        files.append(f)
    out = root / "cmp"
    tasks, infos = plan(files, 2, out)
    for t in tasks:
        run_task(t)
    finish(out, tasks, infos, 2, tasks[0].mapping["seed"], dt.datetime.now())
    return out


def test_report_pdf_is_a4_summary_first_and_nothing_cut_off(wide_comparison, tmp_path):
    _need_chromium()
    r = CliRunner().invoke(main, ["report", str(wide_comparison), "--pdf"])
    assert r.exit_code == 0, r.output
    pdf_path = wide_comparison / "report.pdf"
    assert pdf_path.is_file() and pdf_path.read_bytes()[:5] == b"%PDF-"
    with pdfplumber.open(pdf_path) as pdf:
        pages = pdf.pages
        assert all(abs(p.width - 595) < 2 and abs(p.height - 842) < 2 for p in pages)  # A4 portrait
        # summary, scenarios, two headline pages (two tables of two scenarios each), figures, strain,
        # limitations, assumptions, manifest: about a dozen pages, not the 16-page cut-off print of old
        assert 8 <= len(pages) <= 24, len(pages)
        first = " ".join(pages[0].extract_text().split())
        assert "Executive summary" in first
        assert first.count("retire over 1 month):") == 4  # one sentence a scenario
        assert "Headline outcomes" not in first and "Run manifest" not in first
        second = pages[1].extract_text()
        assert second.lstrip().startswith("Scenarios compared")  # the summary did not spill over
        text = "\n".join(p.extract_text() for p in pages)
    for heading in ("Headline outcomes", "Figures", "Where the strain falls", "Limitations and validation",
                    "Assumptions", "Run manifest"):
        assert heading in text, heading
    assert overflow(pdf_path) == []
    _save_pngs(pdf_path)


def test_the_overflow_check_catches_a_table_wider_than_the_page(tmp_path):
    _need_chromium()
    cells = "".join(f"<td style='white-space:nowrap'>column {k} 1234567.89</td>" for k in range(14))
    html = tmp_path / "wide.html"
    html.write_text("<!DOCTYPE html><html><head><style>@page { size: A4; margin: 14mm 12mm; }</style></head>"
                    f"<body><table><tr>{cells}</tr></table></body></html>", encoding="utf-8")
    print_pdf(html, tmp_path / "wide.pdf")
    assert overflow(tmp_path / "wide.pdf")


def _save_pngs(pdf_path: Path) -> None:
    """Pages 1-3 as PNGs in outputs/ for a person to look at (where pdftoppm is installed)."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        return
    out = ROOT / "outputs"
    out.mkdir(exist_ok=True)
    subprocess.run([pdftoppm, "-r", "60", "-png", "-f", "1", "-l", "3", str(pdf_path), str(out / "report-page")],
                   check=False, capture_output=True, timeout=120)
