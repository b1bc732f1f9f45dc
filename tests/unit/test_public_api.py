"""The public API in sim/__init__: every advertised name resolves, and loads only on first use."""

import subprocess
import sys

import pytest

import sim


@pytest.mark.parametrize("name", [n for n in sim.__all__ if n != "__version__"])
def test_public_name_resolves(name):
    assert getattr(sim, name) is not None


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute"):
        sim.not_a_name  # noqa: B018


def test_importing_the_schema_does_not_load_the_model():
    code = "import sys, sim.config.scenario; print('sim.model.model' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
