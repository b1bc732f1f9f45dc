"""``gpsim dashboard``: start the live teaching dashboard (a local Solara web app) and print its address."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import webbrowser
from pathlib import Path

import click

from sim.cli.common import load_or_fail
from sim.dashboard import REPLICATION_ENV, REPLICATIONS_ENV, SCENARIO_ENV
from sim.resources import scenario

DEFAULT_PORT = 8765
APP_MODULE = "sim.dashboard.app"
READY_TIMEOUT_S = 120.0


def default_scenario() -> Path:
    """The small example area shipped with gpsim (scenarios/small.yaml, or its packaged copy)."""
    return scenario("small.yaml")


def port_is_free(host: str, port: int) -> bool:
    """True if nothing listens on ``host:port`` and it can be bound."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will (ports in TIME_WAIT are free)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    """A port the operating system reports free on ``host``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def pick_port(host: str, port: int | None) -> int:
    """The port asked for (which must be free); else 8765 if free; else any free port."""
    if port:
        if not port_is_free(host, port):
            raise click.ClickException(f"port {port} on {host} is in use; give another --port or leave it out")
        return port
    return DEFAULT_PORT if port_is_free(host, DEFAULT_PORT) else free_port(host)


def solara_assets_installed() -> bool:
    """True if Solara's web assets are installed locally (the page then loads with no internet)."""
    try:  # Solara is an optional extra (pip install gpsim[dashboard]): absent, the dashboard cannot run
        from solara.server import settings
    except ImportError:
        return False
    root = Path(settings.assets.proxy_cache_dir)
    return (root / "requirejs@2.3.6" / "require.js").exists() or any(root.glob("@widgetti/solara-vuetify-app@*"))


def server_command(host: str, port: int) -> list[str]:
    """The ``solara run`` command line for the dashboard (production mode, no browser of its own)."""
    return [sys.executable, "-m", "solara", "run", APP_MODULE, "--host", host, "--port", str(port),
            "--production", "--no-open", "--log-level", "warning"]


def server_env(scenario: Path, replication: int, replications: int = 5) -> dict[str, str]:
    """Environment for the server process: which scenario and replications to run, and no telemetry."""
    env = dict(os.environ)
    env[SCENARIO_ENV] = str(scenario.resolve())
    env[REPLICATION_ENV] = str(replication)
    env[REPLICATIONS_ENV] = str(replications)
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    env.setdefault("MPLBACKEND", "Agg")
    # plain http on loopback: Solara's note about samesite cookies needing https is noise here
    env["PYTHONWARNINGS"] = ",".join(filter(None, [env.get("PYTHONWARNINGS"), "ignore:Cookies with samesite"]))
    return env


def wait_until_ready(url: str, proc: subprocess.Popen, timeout: float = READY_TIMEOUT_S) -> bool:
    """Poll ``url`` until it answers (True), the server exits or ``timeout`` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as resp:
            if resp.status < 500:
                return True
        time.sleep(0.3)
    return False


@click.command()
@click.argument("scenario", required=False, type=click.Path(dir_okay=False))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (loopback by default; anything else exposes the dashboard on the network).")
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help=f"Port (default {DEFAULT_PORT} if free, else a free one).")
@click.option("--replication", type=click.IntRange(0), default=0, show_default=True,
              help="First replication: both sides of the split view draw the same replications' demand.")
@click.option("--replications", type=click.IntRange(1, 10), default=5, show_default=True,
              help="Replications per side to start with (the bands are their 95% interval); changeable in the app.")
@click.option("--no-browser", is_flag=True, help="Do not open a web browser.")
def dashboard(scenario: str | None, host: str, port: int | None, replication: int, replications: int,
              no_browser: bool) -> None:
    """Start a live dashboard over SCENARIO (default: the small example area) for teaching.

    Move the levers (retirements, added roles, hub sessions, demand growth, micro-teams, pooled
    back office) and watch access and workload change, with standalone practices beside a
    collaborating PCN drawing the same demand: several replications of each, with 95% bands.
    Other library scenarios can be chosen in the app; the comparison downloads as CSV and PNG.
    """
    path = Path(scenario) if scenario else default_scenario()
    sc = load_or_fail(path)  # fail here, with the scenario's own message, rather than in the browser
    if importlib.util.find_spec("solara") is None:
        raise click.ClickException("the dashboard needs its optional packages: pip install 'gpsim[dashboard]'")
    if not solara_assets_installed():
        click.echo("warning: Solara's web assets are not installed (pip install solara-assets); "
                   "the page will need internet access to load its scripts.", err=True)
    port = pick_port(host, port)
    url = f"http://{host}:{port}/"
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"warning: listening on {host}: anyone who can reach this machine can use the dashboard.",
                   err=True)
    proc = subprocess.Popen(server_command(host, port), env=server_env(path, replication, replications))

    def stop(*_args: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        click.echo(f"gpsim dashboard: {sc.name} ({sc.list_size:,} patients), starting at {url}")
        if not wait_until_ready(url, proc):
            raise click.ClickException(f"the dashboard server did not start (exit code {proc.poll()})")
        click.echo(f"Dashboard ready at {url}  (Ctrl+C to stop)")
        if not no_browser:
            webbrowser.open(url)
        proc.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
