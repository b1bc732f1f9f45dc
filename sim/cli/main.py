"""The ``gpsim`` command line: a thin shell over the run functions (nothing is computed here).

Commands are registered by name as ``"module:attribute"`` and imported only when used (click's
"Lazily Loading Subcommands" pattern), so ``gpsim run`` does not pay for Dask, Optuna, SALib,
matplotlib or Solara. ``gpsim --help`` lists each command from its one-line summary here, importing
nothing; a test checks each summary against the command's own docstring. A command module that
fails to import fails loudly, with its own ImportError, when that command is used.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import textwrap
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import click

from sim.cli.collector import paused_for_imports, unfrozen_afterwards


@dataclass(frozen=True)
class Entry:
    """Where a command lives (``module:attribute``), its one-line help, and whether ``--help`` lists it."""

    target: str
    summary: str
    hidden: bool = False


# in the order `gpsim --help` lists them
COMMANDS: dict[str, Entry] = {
    "run": Entry("sim.cli.run:run", "Run one scenario once and write its results."),
    "validate": Entry("sim.cli.validate:validate", "Check scenario files without running them."),
    "compare": Entry("sim.cli.compare:compare",
                     "Run SCENARIOS with common random numbers; compare each with the first (paired 95% intervals)."),
    "report": Entry("sim.cli.report:report", "Write report.html (self-contained), figures/*.png and report.xlsx into DIR."),
    "sweep": Entry("sim.cli.sweep:sweep",
                   "Run SCENARIO over a parameter grid with replications; resumable after Ctrl-C or a crash."),
    "sensitivity": Entry("sim.cli.sweep:sensitivity",
                         "Rank the inputs of a finished sweep by how much they drive access and workload outcomes."),
    "area": Entry("sim.cli.area:area", "Build scenario areas (PCNs, practices, staff) from NHS Digital data files."),
    "calibrate": Entry("sim.cli.calibrate:calibrate",
                       "Fit SCENARIO to one STP's GPAD months and check it on held-out months."),
    "dashboard": Entry("sim.cli.dashboard:dashboard",
                       "Start a live dashboard over SCENARIO (default: the small example area) for teaching."),
    "bench": Entry("sim.cli.bench:bench", "Time one replication at PCN, LGPO and London scale against a straightforward reference."),
    "init": Entry("sim.cli.init:init", "Copy the example scenarios (the library and its example areas) into FOLDER to edit."),
    # what `make run` does; internal, so not listed (still callable)
    "main-job": Entry("sim.cli.main_job:main_job",
                      "What `make run` does: compare the key scenarios on the example area and write the report.",
                      hidden=True),
}


def load_command(name: str) -> click.Command:
    """Import the command registered as ``name`` (an ImportError in its module propagates)."""
    module, _, attr = COMMANDS[name].target.partition(":")
    command = getattr(importlib.import_module(module), attr)
    if not isinstance(command, click.Command):
        raise TypeError(f"{COMMANDS[name].target} is not a click command")
    return command


class LazyGroup(click.Group):
    """A group whose commands are imported on first use; the listing comes from :data:`COMMANDS`."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every registered command name, in registry order."""
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command ``cmd_name``, imported now; None for an unknown name (click then says so)."""
        if cmd_name not in COMMANDS:
            return None
        with paused_for_imports():  # start-up time: see sim.cli.collector
            return load_command(cmd_name)

    def main(self, *args: object, **kwargs: object) -> object:
        """Parse and run a command line with library warnings hidden (importing the command included)."""
        with library_warnings_hidden(), unfrozen_afterwards():
            return super().main(*args, **kwargs)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The Commands section of ``--help`` from the registry's summaries, importing no command."""
        shown = {name: e for name, e in COMMANDS.items() if not e.hidden}
        limit = formatter.width - 6 - max(len(name) for name in shown)
        rows = [(name, textwrap.shorten(e.summary, max(limit, 20), placeholder="...")) for name, e in shown.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@contextlib.contextmanager
def library_warnings_hidden() -> Iterator[None]:
    """Hide Python warnings raised inside libraries (RuntimeWarning, FutureWarning, ...) while a command runs.

    They speak of library internals (a mean of an empty slice, a deprecation) that a planner cannot act
    on; gpsim reports its own problems as messages. Worker processes (Dask, the dashboard server)
    inherit ``PYTHONWARNINGS=ignore``. An explicit ``-W`` or ``PYTHONWARNINGS`` is respected.
    Both settings are restored afterwards, so calling a command in a test changes nothing around it.
    """
    if sys.warnoptions or os.environ.get("PYTHONWARNINGS"):
        yield
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        os.environ["PYTHONWARNINGS"] = "ignore"
        try:
            yield
        finally:
            os.environ.pop("PYTHONWARNINGS", None)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gpsim")
def main() -> None:
    """gpsim: agent-based simulation of general-practice workforce and demand (practices, PCNs, LGPOs)."""
