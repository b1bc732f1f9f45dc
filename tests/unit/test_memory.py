"""sim.model.memory: numpy stops advising huge pages for a run's arrays unless the user chose."""

import numpy as np

from sim.model.memory import ENV, ordinary_pages


def _switch(enabled: bool) -> bool:
    """Set numpy's huge-page advice and return what it was before."""
    return np._core.multiarray._set_madvise_hugepage(enabled)


def test_ordinary_pages_turns_numpys_huge_page_advice_off(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    before = _switch(True)
    try:
        assert ordinary_pages() is True
        assert _switch(True) is False  # it was off
    finally:
        _switch(before)


def test_an_explicit_numpy_setting_is_left_alone(monkeypatch):
    monkeypatch.setenv(ENV, "1")
    before = _switch(True)
    try:
        assert ordinary_pages() is False
        assert _switch(True) is True  # still on
    finally:
        _switch(before)
