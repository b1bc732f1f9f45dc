"""The dashboard in a real browser: Debian's chromium driven by Playwright (no browser of its own).

Starts ``gpsim dashboard`` on a free loopback port, loads the page, checks the replications,
scenario and About controls, changes the replications, moves a control, steps the models, plays
four weeks at full speed, checks that the displayed figures change, downloads the CSV and PNG
exports, and finally chooses another library scenario. Saves ``outputs/dashboard-screenshot.png``
for people to look at. The server is always stopped.
"""

from __future__ import annotations

import csv
import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = ROOT / "outputs" / "dashboard-screenshot.png"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
START_TIMEOUT_S = 120  # generous: the test suite runs in parallel on small machines
UI_TIMEOUT_MS = 60_000
REBUILD_TIMEOUT_MS = 240_000  # a library scenario of 200,000 patients builds its models from scratch

pytestmark = pytest.mark.browser

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None
    PlaywrightTimeout = TimeoutError


def _skip_reason() -> str | None:
    if not CHROMIUM.exists():
        return f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    if sync_playwright is None:
        return "the playwright package is not installed (pip install playwright; it drives the system chromium)"
    try:
        import solara  # noqa: F401
    except ImportError:
        return "solara is not installed (pip install -e '.[dashboard]')"
    from sim.cli.dashboard import solara_assets_installed

    if not solara_assets_installed():
        return "Solara's web assets are not installed (pip install solara-assets): the page cannot load offline"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def dashboard_url(tmp_path):
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    port = _free_port()
    log = tmp_path / "dashboard.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", "from sim.cli.main import main; main()", "dashboard", "--host", "127.0.0.1",
             "--port", str(port), "--no-browser"],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while "Dashboard ready at" not in log.read_text():
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"dashboard did not start (exit {proc.poll()}):\n{log.read_text()}")
            time.sleep(0.3)
        url = re.search(r"Dashboard ready at (\S+)", log.read_text()).group(1)
        assert url == f"http://127.0.0.1:{port}/"
        yield url
    finally:
        # the CLI and the solara server it started share one process group: stop both
        for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue


def _day(page) -> int:
    return int(re.match(r"Day (\d+)", page.inner_text(".gpsim-day")).group(1))


def _text(selector: str) -> str:
    """A JavaScript expression for an element's text, '' while a re-render has removed it (no TypeError)."""
    return f"(document.querySelector('{selector}')?.innerText ?? '')"


def _canvas(page, name: str) -> str:
    page.wait_for_selector(f".gpsim-chart-{name} canvas")
    return page.evaluate(f"document.querySelector('.gpsim-chart-{name} canvas')?.toDataURL() ?? ''")


def _value(text: str, unit: str) -> float:
    """The number a lever's label shows before ``unit`` ("Pharmacists added: 0.5 FTE ..." -> 0.5)."""
    return float(re.search(rf"([0-9.]+) {re.escape(unit)}", text).group(1))


def _slide(page, name: str, key: str, want: str, most: int = 10) -> None:
    """Step a lever with the arrow keys, one press at a time, until its label shows ``want``.

    Each press waits for the label to change and then for the rebuild it starts. On a loaded machine
    a press can be handled tens of seconds late (the rebuild's simulation thread holds the page's
    handler: pressing again at once overshot to 3.0 FTE) or lost (pressed while the page re-rendered:
    the label never changed in 240 s). So a press that shows nothing within a minute is pressed again,
    and the key is chosen from the label each time (``key`` towards ``want``, its opposite past it):
    a late press that overshoots is stepped back.
    """
    label = f".gpsim-control-{name}"
    slider = page.locator(f"{label} [role=slider]")
    number, unit = want.split(" ", 1)
    target = float(number)
    back = {"ArrowRight": "ArrowLeft", "ArrowLeft": "ArrowRight"}[key]
    towards_up = key == "ArrowRight"
    for _ in range(most):
        page.wait_for_selector(".gpsim-busy", state="detached", timeout=REBUILD_TIMEOUT_MS)
        before = page.inner_text(label)
        if want in before:
            return
        below = _value(before, unit) < target
        slider.focus()
        slider.press(key if below == towards_up else back)
        try:
            page.wait_for_function(f"(old) => {_text(label)} !== '' && {_text(label)} !== old", arg=before,
                                   timeout=UI_TIMEOUT_MS)
        except PlaywrightTimeout:
            continue  # not handled yet, or lost: look at the label again
    page.wait_for_selector(".gpsim-busy", state="detached", timeout=REBUILD_TIMEOUT_MS)
    assert want in page.inner_text(label), page.inner_text(label)


def test_move_a_lever_step_and_watch(dashboard_url):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1750}, accept_downloads=True)
            page.set_default_timeout(UI_TIMEOUT_MS)
            page.goto(dashboard_url, timeout=UI_TIMEOUT_MS)
            page.wait_for_selector(".gpsim-chart-area-collaborating canvas")
            assert _day(page) == 0
            assert page.inner_text(".gpsim-waiting-list-standalone").replace(",", "").isdigit()

            # the new controls: the scenario library, replications (5 by default) with intervals, About
            assert "small.yaml" in page.inner_text(".gpsim-scenario")
            assert "5 per side" in page.inner_text(".gpsim-control-replications")
            assert re.search(r"\d to \d", page.inner_text(".gpsim-table"))  # 95% intervals under the means
            page.get_by_text("About this model").click()
            page.get_by_text("What is not modelled").wait_for(state="visible")
            assert "111" in page.inner_text(".gpsim-about")
            _slide(page, "replications", "ArrowLeft", "3 per side")  # 3 replications: a quicker test
            page.wait_for_function(f"{_text('.gpsim-scenario-name')}.includes('3 replications')")
            page.wait_for_selector(".gpsim-busy", state="detached")

            # move a control: two steps right on the pharmacists slider (0 -> 1.0 FTE per 10,000)
            _slide(page, "pharmacists", "ArrowRight", "1.0 FTE")
            page.wait_for_selector(".gpsim-busy", state="detached")  # both models rebuilt

            waiting = page.inner_text(".gpsim-waiting-list-collaborating")
            area = _canvas(page, "area-collaborating")
            page.click(".gpsim-step")
            page.wait_for_function(f"{_text('.gpsim-day')}.startsWith('Day 1 ')")
            page.wait_for_function(
                f"{_text('.gpsim-waiting-list-collaborating')} !== '' && {_text('.gpsim-waiting-list-collaborating')} !== '{waiting}'")
            page.wait_for_function(
                "(old) => (document.querySelector('.gpsim-chart-area-collaborating canvas')?.toDataURL() ?? old) !== old",
                arg=area)
            assert page.inner_text(".gpsim-waiting-list-collaborating") != waiting

            # full speed, then play and pause: the worker thread steps both models
            speed = page.locator(".gpsim-control-speed [role=slider]")
            speed.focus()
            speed.press("End")
            page.wait_for_function(f"{_text('.gpsim-control-speed')}.includes('30 simulated')")
            page.click(".gpsim-play")
            page.wait_for_function(f"parseInt({_text('.gpsim-day')}.split(' ')[1] ?? '0') >= 28")
            page.click(".gpsim-play")
            page.wait_for_function(f"{_text('.gpsim-play')}.trim().toUpperCase() === 'PLAY'")
            assert _day(page) >= 28
            assert page.inner_text(".gpsim-unmet-per-1000-year-standalone") != "–"
            page.wait_for_timeout(1000)  # let the charts settle before the picture
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)

            # export the comparison: a CSV of every number with its interval, and a PNG of the charts
            with page.expect_download() as download:
                page.get_by_text("Download CSV").click()
            assert re.fullmatch(r"gpsim-small-day\d+-3reps\.csv", download.value.suggested_filename)
            rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
            assert list(rows[0]) == ["scenario", "day", "replications", "section", "measure", "unit", "side",
                                     "mean", "ci_low", "ci_high"]
            assert {r["replications"] for r in rows} == {"3"} and int(rows[0]["day"]) >= 28
            waiting = [r for r in rows if r["measure"].startswith("Waiting list") and r["side"] == "Collaborating PCN"]
            assert len(waiting) == 1 and float(waiting[0]["ci_low"]) <= float(waiting[0]["mean"])
            assert any(r["measure"].startswith("Practice 1 (") for r in rows)  # practices by name
            with page.expect_download() as download:
                page.get_by_text("Download PNG").click()
            assert Path(download.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

            # choose another library scenario: its interventions set the levers, the run starts again
            reps = page.locator(".gpsim-control-replications [role=slider]")
            reps.focus()
            reps.press("Home")  # one replication: the library's other scenarios are five times bigger
            page.wait_for_function(f"{_text('.gpsim-scenario-name')}.includes('1 replication ')")
            page.wait_for_selector(".gpsim-busy", state="detached")
            page.locator(".gpsim-scenario .v-select").click()
            page.get_by_role("option", name="gp-retirement-wave.yaml").click()
            page.wait_for_function(f"{_text('.gpsim-scenario-name')}.includes('gp-retirement-wave')",
                                   timeout=REBUILD_TIMEOUT_MS)
            page.wait_for_selector(".gpsim-busy", state="detached", timeout=REBUILD_TIMEOUT_MS)
            assert _day(page) == 0
            assert "40% of GPs" in page.inner_text(".gpsim-control-retirement")
        finally:
            browser.close()
