"""Mesa, SciPy and coverage imported without running the parts gpsim never uses until something asks for them.

``mesa/__init__.py`` (3.3) runs ``import mesa.experimental as experimental``, ``mesa.discrete_space``
and ``mesa.space``; ``mesa.experimental`` imports ``scipy.spatial`` (about 0.3-0.5 s of every
``gpsim run``), yet gpsim uses only ``mesa.Agent`` and ``mesa.Model``. Numba, on loading its first
compiled kernel, checks for BLAS with ``import scipy.linalg.cython_blas``, which runs all of
``scipy/linalg/__init__.py`` (another 0.2-0.3 s) although no gpsim kernel calls BLAS. Where
``coverage`` is installed (a development environment: pytest-cov), Numba's import runs ``import
coverage`` (about 0.08 s) to subclass ``coverage.types.Tracer``; the rest of coverage is used only
when measuring compiled code (``NUMBA_JIT_COVERAGE``) or by coverage itself, which then imports first.

Every gpsim module that needs Mesa imports it from here (``from sim.lazy_imports import mesa``), so
this runs before Mesa's first import and before any kernel is loaded. For each name in
:data:`DEFERRED` it places in ``sys.modules`` a module object with the real spec (``__path__``,
``__file__``) but its code not yet run, so ``import mesa.experimental.devs`` or
``scipy.linalg.cython_blas`` finds its submodule without running the package. The first attribute
that module lacks (``mesa.experimental.devs``, ``from scipy.linalg import solve``, ``__all__``) runs
the real code into that same object (a PEP 562 module ``__getattr__``), so everything that asks for
these packages gets them as before, only later.

Why not ``importlib.util.LazyLoader`` (the Python docs' "Implementing lazy imports" recipe, which
``lazy_loader`` (SPEC 1) also uses): its module loads on *any* attribute access, and the import
statement in ``mesa/__init__.py`` reads the module's ``__spec__`` to check it is initialised, so on
Python 3.11 the recipe defers nothing.

``mesa.batchrunner`` (``multiprocessing``, ``tqdm.auto`` and with it ``asyncio`` and
``importlib.metadata``) and ``mesa.datacollection`` (pandas) are deferred too, although
``mesa/__init__.py`` imports a name from each (``from mesa.batchrunner import batch_run``), which
reads that attribute and would run the module. For each name in :data:`FORWARDED` the unrun module
holds a stand-in while ``mesa/__init__.py`` runs; afterwards the stand-ins are removed from the module
and from ``mesa``, and a PEP 562 ``__getattr__`` on ``mesa`` answers ``mesa.batch_run`` and
``mesa.DataCollector`` with the real objects, running their modules then. Deferring
``mesa.datacollection`` also keeps pandas out of Mesa's import, so ``mesa.model`` is imported while
few modules are loaded: its ``mesa_logging.create_module_logger()`` calls ``inspect.stack()``,
which looks up every frame's module among all loaded modules, a cost that grows with both.

A name missing from the installed release (Mesa 3.3 and 3.5 differ) is skipped, and so is one already
imported (a test or the dashboard imported Mesa first): then the full package is used.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
import threading
import types
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.abc import Loader

#: Package -> its subpackages gpsim never uses, whose code runs only when something asks for them.
DEFERRED: dict[str, tuple[str, ...]] = {
    # `import mesa.X as X` in mesa 3.x; then `from mesa.X import name` (see FORWARDED)
    "mesa": ("mesa.experimental", "mesa.discrete_space", "mesa.space", "mesa.batchrunner", "mesa.datacollection"),
    "scipy": ("scipy.linalg",),  # Numba's BLAS check imports scipy.linalg.cython_blas only
    # where installed (pytest-cov): Numba's import runs `import coverage` and reads `coverage.types.Tracer`;
    # the rest only measuring compiled code (NUMBA_JIT_COVERAGE) or under coverage, which imports it first
    "coverage": ("coverage", "coverage.types"),
}

#: Deferred module -> the names its package's ``__init__`` imports from it; served by the package's ``__getattr__``.
FORWARDED: dict[str, tuple[str, ...]] = {"mesa.batchrunner": ("batch_run",), "mesa.datacollection": ("DataCollector",)}

_STAND_IN = object()  # what `from mesa.batchrunner import batch_run` reads while mesa/__init__.py runs

_LOCK = threading.RLock()  # one thread runs a deferred module's code; another waits for it


def _runner(module: types.ModuleType, loader: Loader) -> Callable[[str], object]:
    """The module ``__getattr__`` that runs ``module``'s real code on first need, then answers ``attr``."""

    def __getattr__(attr: str) -> object:  # noqa: N807 (PEP 562's name)
        if attr == "__path__" and module.__spec__.submodule_search_locations is None:
            # a plain module has none: the import statement's package probe needs no code run
            raise AttributeError(f"module {module.__name__!r} has no attribute '__path__'")
        with _LOCK:
            if module.__dict__.get("__getattr__") is __getattr__:  # not yet run (or run by another thread)
                del module.__dict__["__getattr__"]  # an attribute missing while the code runs is missing
                loader.exec_module(module)
        return getattr(module, attr)

    return __getattr__


def defer(package: str, names: tuple[str, ...]) -> list[str]:
    """Place not-yet-run module objects for ``package`` (itself, if named) or its subpackages ``names``; those placed."""
    root = importlib.util.find_spec(package)  # finds a package without running its __init__
    if root is None or root.submodule_search_locations is None:
        return []
    done = []
    for name in names:
        if name in sys.modules:
            continue  # already imported: nothing to defer
        spec = root if name == package else importlib.machinery.PathFinder.find_spec(name, root.submodule_search_locations)
        if spec is None or spec.loader is None:
            continue  # not in this release
        module = importlib.util.module_from_spec(spec)
        module.__getattr__ = _runner(module, spec.loader)  # type: ignore[method-assign]
        sys.modules[name] = module
        if name != package and package in sys.modules:  # an import of `package.child` would have bound it
            setattr(sys.modules[package], name.rpartition(".")[2], module)
        done.append(name)
    return done


def stand_in(deferred: list[str]) -> list[tuple[str, str]]:
    """Give each deferred module in :data:`FORWARDED` its names as stand-ins; the (module, name) pairs given."""
    given = []
    for module in deferred:
        for name in FORWARDED.get(module, ()):
            setattr(sys.modules[module], name, _STAND_IN)
            given.append((module, name))
    return given


def forward(package: types.ModuleType, given: list[tuple[str, str]]) -> None:
    """Replace the stand-ins ``package`` took with a PEP 562 ``__getattr__`` that imports the real objects."""
    served = {}
    for module, name in given:
        namespace = sys.modules[module].__dict__
        if namespace.get(name) is _STAND_IN:  # not run meanwhile: its own __getattr__ now runs it when asked
            del namespace[name]
        if package.__dict__.get(name) is _STAND_IN:
            del package.__dict__[name]
            served[name] = module
    if not served:
        return
    previous = package.__dict__.get("__getattr__")

    def __getattr__(attr: str) -> object:  # noqa: N807 (PEP 562's name)
        if attr in served:
            value = getattr(sys.modules[served[attr]], attr)  # runs the module the first time
            setattr(package, attr, value)
            return value
        if previous is not None:
            return previous(attr)
        raise AttributeError(f"module {package.__name__!r} has no attribute {attr!r}")

    package.__getattr__ = __getattr__  # type: ignore[method-assign]


def bind(deferred: list[str]) -> None:
    """Bind each deferred module to its imported parent package, as an import of it would have done."""
    for name in deferred:
        parent, _, child = name.rpartition(".")
        if parent in sys.modules:
            sys.modules[parent].__dict__.setdefault(child, sys.modules[name])


_placed = [name for package, names in DEFERRED.items() for name in defer(package, names)]
_given = stand_in(_placed)

import mesa  # noqa: E402 (after the deferral, on purpose)

bind(_placed)  # `from mesa.batchrunner import batch_run` found the module in sys.modules and bound nothing
forward(mesa, _given)

__all__ = ["DEFERRED", "FORWARDED", "bind", "defer", "forward", "mesa", "stand_in"]
