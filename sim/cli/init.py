"""``gpsim init DIR``: copy the example scenarios into a folder for a user to edit."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from sim.resources import EXAMPLE_AREAS, scenarios_dir


def library_files() -> list[Path]:
    """The shipped scenario library: every YAML file and its README."""
    folder = scenarios_dir()
    files = sorted(folder.glob("*.yaml"))
    readme = folder / "README.md"
    return [*files, readme] if readme.is_file() else files


def copy_library(target: Path, force: bool = False) -> list[Path]:
    """Copy the library into ``target`` (created if needed); refuse to overwrite unless ``force``."""
    files = library_files()
    if not files:
        raise click.ClickException(f"no scenarios found in {scenarios_dir()}: the installation is incomplete")
    if target.exists() and not target.is_dir():
        raise click.ClickException(f"{target} exists and is not a folder")
    clashes = [f.name for f in files if (target / f.name).exists()]
    if clashes and not force:
        raise click.ClickException(f"{target} already holds {', '.join(clashes[:5])}"
                                   f"{' ...' if len(clashes) > 5 else ''}; use --force to overwrite "
                                   "them or choose another folder")
    try:
        target.mkdir(parents=True, exist_ok=True)
        return [Path(shutil.copyfile(f, target / f.name)) for f in files]
    except OSError as exc:
        raise click.ClickException(f"cannot write into {target}: {exc.strerror or exc}") from None


@click.command("init")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite files of the same name already in FOLDER.")
def init(folder: Path, force: bool) -> None:
    """Copy the example scenarios (the library and its example areas) into FOLDER to edit.

    The copies keep their `extends:` links to each other (all relative), so an intervention
    scenario picks up your edits to baseline.yaml.
    """
    copied = copy_library(folder, force)
    areas = ", ".join(a for a in EXAMPLE_AREAS if (folder / a).exists())
    click.echo(f"Copied {len(copied)} files into {folder} (example areas: {areas}).")
    click.echo("Next:")
    click.echo(f"  gpsim validate {folder}/*.yaml")
    click.echo(f"  gpsim run {folder / 'small.yaml'} --days 90")
    click.echo(f"  gpsim compare {folder / 'baseline.yaml'} {folder / 'gp-retirement-wave.yaml'} --reps 5 --report")
