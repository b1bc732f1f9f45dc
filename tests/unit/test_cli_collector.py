"""A command's imports run with the cyclic garbage collector paused and frozen; callers get it back as it was."""

import gc

from click.testing import CliRunner

from sim.cli.collector import paused_for_imports, unfrozen_afterwards
from sim.cli.main import main
from tests.conftest import SCENARIOS


def test_imports_run_without_the_collector_and_what_they_made_is_frozen():
    assert gc.isenabled()
    with unfrozen_afterwards():
        with paused_for_imports():
            assert not gc.isenabled()
            made = [[] for _ in range(1000)]  # stands for the objects an import makes
        assert gc.isenabled() and gc.get_freeze_count() >= len(made)
    assert gc.get_freeze_count() == 0


def test_a_collector_disabled_by_the_caller_stays_disabled():
    gc.disable()
    try:
        with unfrozen_afterwards(), paused_for_imports():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_command_called_in_process_leaves_collection_as_it_was():
    r = CliRunner().invoke(main, ["validate", str(SCENARIOS / "small.yaml")])
    assert r.exit_code == 0, r.output
    assert gc.isenabled() and gc.get_freeze_count() == 0
