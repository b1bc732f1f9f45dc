"""The ``gpsim`` command line: a thin shell over the run functions (nothing is computed here).

Each command lives in its own module and is registered here by name; a module that fails to
import stops the command line with its error rather than dropping the command.
"""

from __future__ import annotations

import click

from sim.cli.area import area
from sim.cli.bench import bench
from sim.cli.calibrate import calibrate
from sim.cli.compare import compare
from sim.cli.dashboard import dashboard
from sim.cli.init import init
from sim.cli.main_job import main_job
from sim.cli.report import report
from sim.cli.run import run, validate
from sim.cli.sweep import sensitivity, sweep


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gpsim")
def main() -> None:
    """gpsim: agent-based simulation of general-practice workforce and demand (practices, PCNs, LGPOs)."""


for command in (run, validate, main_job, area, compare, report, sweep, sensitivity, bench, calibrate, dashboard,
                init):
    main.add_command(command)
