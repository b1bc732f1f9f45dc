"""Mesa, imported without running the subpackages gpsim never uses until something asks for them.

``mesa/__init__.py`` (3.3) runs ``import mesa.experimental as experimental``, ``mesa.discrete_space``
and ``mesa.space``; ``mesa.experimental`` imports ``scipy.spatial`` (about 0.3-0.5 s of every
``gpsim run``), yet gpsim uses only ``mesa.Agent`` and ``mesa.Model``. Every gpsim module that needs
Mesa imports it from here (``from sim.mesa_import import mesa``), so this runs before Mesa's first
import and places in ``sys.modules`` a module object for each name in :data:`DEFERRED`, with its real
spec (``__path__``, ``__file__``) but its code not yet run. The first attribute that module lacks
(``mesa.experimental.devs``, ``from mesa.space import MultiGrid``, ``dir()``'s ``__all__``) runs
the real code into that same object (PEP 562 module ``__getattr__``), so ``import mesa.experimental``
and the dashboard's ``mesa.visualization`` work as before, only later.

Why not ``importlib.util.LazyLoader`` (the Python docs' "Implementing lazy imports" recipe, which
``lazy_loader`` (SPEC 1) also uses): its module loads on *any* attribute access, and the import
statement in ``mesa/__init__.py`` reads the module's ``__spec__`` to check it is initialised, so on
Python 3.11 the recipe defers nothing. ``mesa.batchrunner`` and ``mesa.datacollection`` are not
deferred: ``mesa/__init__.py`` imports a name from each (``from mesa.datacollection import
DataCollector``), which runs the module whatever stands in ``sys.modules``; pandas, which
``mesa.datacollection`` pulls in, gpsim needs for its results anyway.

A submodule that does not exist in the installed Mesa is skipped; if Mesa is already imported
(a test or the dashboard imported it first) nothing is deferred and the full package is used.
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

#: Subpackages ``mesa/__init__.py`` imports as modules (``import mesa.X as X``) that gpsim never uses.
DEFERRED: tuple[str, ...] = ("mesa.experimental", "mesa.discrete_space", "mesa.space")

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


def defer(names: tuple[str, ...] = DEFERRED) -> list[str]:
    """Place not-yet-run module objects for ``names`` in ``sys.modules``; the names actually deferred."""
    if "mesa" in sys.modules:
        return []
    root = importlib.util.find_spec("mesa")  # finds the package without running its __init__
    if root is None or root.submodule_search_locations is None:
        return []
    done = []
    for name in names:
        spec = importlib.machinery.PathFinder.find_spec(name, root.submodule_search_locations)
        if spec is None or spec.loader is None or name in sys.modules:
            continue  # not in this Mesa version (or already imported)
        module = importlib.util.module_from_spec(spec)
        module.__getattr__ = _runner(module, spec.loader)  # type: ignore[method-assign]
        sys.modules[name] = module
        done.append(name)
    return done


defer()

import mesa  # noqa: E402 (after the deferral, on purpose)

__all__ = ["DEFERRED", "defer", "mesa"]
