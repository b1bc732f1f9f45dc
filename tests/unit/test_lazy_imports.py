"""sim.lazy_imports: gpsim's Mesa and SciPy imports leave the unused subpackages unrun until something asks for them."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_fresh(code: str) -> str:
    """Run ``code`` in a fresh interpreter from the repository root (Mesa not yet imported); its stdout."""
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_importing_the_model_leaves_mesa_experimental_unrun() -> None:
    """After ``import sim.model.model``, mesa.experimental's code has not run and scipy.spatial is not loaded."""
    out = run_fresh("""
        import sys
        import sim.model.model
        exp = sys.modules["mesa.experimental"]
        print("__all__" in vars(exp), "scipy.spatial" in sys.modules, "mesa.experimental.devs" in sys.modules)
    """)
    assert out.split() == ["False", "False", "False"]


def test_deferred_subpackages_still_work_when_asked_for() -> None:
    """``import mesa.experimental`` and ``from mesa.space import ...`` after gpsim's import give the real modules."""
    out = run_fresh("""
        import sys
        import sim.model.model
        import mesa.experimental
        from mesa.experimental import devs
        from mesa.space import MultiGrid
        import mesa
        print(sorted(mesa.experimental.__all__) == sorted(["continuous_space", "devs", "mesa_signals", "meta_agents"]),
              devs is sys.modules["mesa.experimental.devs"], "scipy.spatial" in sys.modules,
              MultiGrid.__module__, mesa.discrete_space.OrthogonalMooreGrid.__name__)
    """)
    assert out.split() == ["True", "True", "True", "mesa.space", "OrthogonalMooreGrid"]


def test_a_submodule_imported_before_its_package_runs_the_package_later() -> None:
    """``import mesa.experimental.devs`` first, then ``mesa.experimental.meta_agents``: both real modules."""
    out = run_fresh("""
        import sys
        import sim.lazy_imports
        import mesa.experimental.devs
        import mesa
        print(mesa.experimental.devs.__name__, mesa.experimental.meta_agents.__name__)
    """)
    assert out.split() == ["mesa.experimental.devs", "mesa.experimental.meta_agents"]


def test_nothing_is_deferred_once_mesa_is_imported() -> None:
    """Mesa imported before gpsim (a test, the dashboard): the full package, nothing replaced."""
    out = run_fresh("""
        import sys
        import mesa
        from sim.lazy_imports import DEFERRED, defer
        print(defer("mesa", DEFERRED["mesa"]), "__all__" in vars(sys.modules["mesa.experimental"]))
    """)
    assert out.split() == ["[]", "True"]


def test_a_subpackage_missing_from_this_mesa_is_skipped() -> None:
    """A name in DEFERRED that the installed Mesa does not have (older or newer releases) is skipped."""
    out = run_fresh("""
        import sys
        from sim import lazy_imports
        print(lazy_imports.defer("mesa", ("mesa.no_such_module",)))
    """)
    assert out.split() == ["[]"]


def test_numba_loads_kernels_without_running_scipy_linalg() -> None:
    """Numba's BLAS check imports scipy.linalg.cython_blas only; ``from scipy.linalg import solve`` still works."""
    out = run_fresh("""
        import sys
        import numba
        import sim.model.model
        assert numba.njit(lambda x: x + 1)(1) == 2  # the first compilation loads Numba's BLAS check
        linalg = sys.modules["scipy.linalg"]
        print("scipy.linalg.cython_blas" in sys.modules, "solve" in vars(linalg), "scipy._lib._util" in sys.modules)
        import scipy
        from scipy.linalg import solve
        print(solve([[2.0]], [4.0])[0], scipy.linalg is linalg, "solve" in vars(linalg))
    """)
    assert out.split() == ["True", "False", "False", "2.0", "True", "True"]


def test_mesa_is_imported_without_its_batch_runner_and_data_collector() -> None:
    """``import sim.lazy_imports`` runs neither mesa.batchrunner (tqdm, asyncio) nor mesa.datacollection (pandas)."""
    out = run_fresh("""
        import sys
        import sim.lazy_imports
        import mesa
        print(*(name in sys.modules for name in ("tqdm", "asyncio", "pandas")),
              "batch_run" in vars(mesa), "DataCollector" in vars(mesa), "batch_run" in vars(sys.modules["mesa.batchrunner"]))
    """)
    assert out.split() == ["False"] * 6


def test_batch_run_and_data_collector_are_the_real_ones_when_asked_for() -> None:
    """``mesa.batch_run``, ``from mesa import DataCollector`` and ``from mesa.batchrunner import ...`` all work."""
    out = run_fresh("""
        import sys
        import sim.lazy_imports
        import mesa
        from mesa import DataCollector
        from mesa.batchrunner import batch_run
        from mesa.datacollection import DataCollector as Direct
        print(mesa.batch_run is batch_run, batch_run.__module__, DataCollector is Direct, DataCollector.__module__,
              "tqdm" in sys.modules, "pandas" in sys.modules)
        from mesa import *  # noqa: F403 (every name of mesa.__all__ resolves)
        print(Model.__name__, batch_run.__name__)  # noqa: F405
    """)
    assert out.split() == ["True", "mesa.batchrunner", "True", "mesa.datacollection", "True", "True", "Model",
                           "batch_run"]


def test_mesa_attribute_errors_are_unchanged() -> None:
    """A name Mesa lacks is still an AttributeError; its submodules are its attributes, as after a plain import."""
    out = run_fresh("""
        import sim.lazy_imports
        import mesa
        print(hasattr(mesa, "no_such_name"), hasattr(mesa.batchrunner, "__path__"), mesa.batchrunner.__name__,
              mesa.datacollection.__name__)
    """)
    assert out.split() == ["False", "False", "mesa.batchrunner", "mesa.datacollection"]


def test_numba_imports_without_running_coverage_which_still_works_when_asked_for() -> None:
    """Where coverage is installed, Numba's import reads coverage.types only; ``coverage.Coverage`` still works."""
    out = run_fresh("""
        import importlib.util
        import sys
        # not installed, or already imported (coverage measuring this process): nothing to defer
        deferrable = importlib.util.find_spec("coverage") is not None and "coverage" not in sys.modules
        import sim.lazy_imports
        import numba
        import numba.misc.coverage_support as support
        if deferrable:
            print("coverage.control" in sys.modules, support.coverage_available)
            import coverage
            print(type(coverage.Coverage(data_file=None)).__name__, coverage.Coverage.current() is None,
                  "coverage.control" in sys.modules)
        else:
            print(False, True, "Coverage", True, True)
    """)
    assert out.split() == ["False", "True", "Coverage", "True", "True"]
