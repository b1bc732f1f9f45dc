"""``gpsim validate``: check scenario files without running them (the configuration layer only: no model)."""

from __future__ import annotations

import click

from sim.cli.common import console, err_console
from sim.cli.guards import check_memory
from sim.config.loading import ScenarioError, load_scenario


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def validate(files: tuple[str, ...]) -> None:
    """Check scenario files without running them."""
    failed = 0
    for f in files:
        try:
            sc = load_scenario(f)
            check_memory(sc, f)
        except ScenarioError as exc:
            failed += 1
            err_console.print(f"[red]invalid[/red] {exc}")
            continue
        except click.ClickException as exc:
            failed += 1
            err_console.print(f"[red]too large for this machine[/red] {exc.message}")
            continue
        console.print(f"[green]ok[/green] {f}: '{sc.name}', {sc.list_size:,} patients in "
                      f"{sum(len(p.practices) for p in sc.area.pcns)} practices and {len(sc.area.pcns)} PCNs, "
                      f"{len(sc.interventions)} intervention(s)")
    if failed:
        raise SystemExit(1)
