"""Mesa and SciPy imported without running the subpackages gpsim never uses until something asks for them.

``mesa/__init__.py`` (3.3) runs ``import mesa.experimental as experimental``, ``mesa.discrete_space``
and ``mesa.space``; ``mesa.experimental`` imports ``scipy.spatial`` (about 0.3-0.5 s of every
``gpsim run``), yet gpsim uses only ``mesa.Agent`` and ``mesa.Model``. Numba, on loading its first
compiled kernel, checks for BLAS with ``import scipy.linalg.cython_blas``, which runs all of
``scipy/linalg/__init__.py`` (another 0.2-0.3 s) although no gpsim kernel calls BLAS.

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
Python 3.11 the recipe defers nothing. ``mesa.batchrunner`` and ``mesa.datacollection`` are not
deferred: ``mesa/__init__.py`` imports a name from each (``from mesa.datacollection import
DataCollector``), which runs the module whatever stands in ``sys.modules``; pandas, which
``mesa.datacollection`` pulls in, gpsim needs for its results anyway.

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
    "mesa": ("mesa.experimental", "mesa.discrete_space", "mesa.space"),  # `import mesa.X as X` in mesa 3.x
    "scipy": ("scipy.linalg",),  # Numba's BLAS check imports scipy.linalg.cython_blas only
}

_LOCK = threading.RLock()  # one thread runs a deferred module's code; another waits for it


def _runner(module: types.ModuleType, loader: Loader) -> Callable[[str], object]:
    """The module ``__getattr__`` that runs ``module``'s real code on first need, then answers ``attr``."""

    def __getattr__(attr: str) -> object:  # noqa: N807 (PEP 562's name)
        with _LOCK:
            if module.__dict__.get("__getattr__") is __getattr__:  # not yet run (or run by another thread)
                del module.__dict__["__getattr__"]  # an attribute missing while the code runs is missing
                loader.exec_module(module)
        return getattr(module, attr)

    return __getattr__


def defer(package: str, names: tuple[str, ...]) -> list[str]:
    """Place not-yet-run module objects for ``package``'s subpackages ``names`` in ``sys.modules``; those placed."""
    root = importlib.util.find_spec(package)  # finds a package without running its __init__
    if root is None or root.submodule_search_locations is None:
        return []
    done = []
    for name in names:
        if name in sys.modules:
            continue  # already imported: nothing to defer
        spec = importlib.machinery.PathFinder.find_spec(name, root.submodule_search_locations)
        if spec is None or spec.loader is None:
            continue  # not in this release
        module = importlib.util.module_from_spec(spec)
        module.__getattr__ = _runner(module, spec.loader)  # type: ignore[method-assign]
        sys.modules[name] = module
        if package in sys.modules:  # `package.child` as an import of the child would have bound it
            setattr(sys.modules[package], name.rpartition(".")[2], module)
        done.append(name)
    return done


for _package, _names in DEFERRED.items():
    defer(_package, _names)

import mesa  # noqa: E402 (after the deferral, on purpose)

__all__ = ["DEFERRED", "defer", "mesa"]
