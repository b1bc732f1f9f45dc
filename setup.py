"""Build hook: the wheel carries copies of the top-level data folders as package data.

``scenarios/``, ``calibration/data/`` and ``calibration/calibrated/`` stay where users and the
README expect them; when a wheel is built they are copied to ``sim/_data/scenarios``,
``sim/_data/calibration`` and ``sim/_data/calibrated`` in it, where ``sim.resources`` finds them through importlib.resources. Every other setting is in pyproject.toml.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
# top-level folder -> folder under sim/_data (keep in step with sim/resources.py SHIPPED)
SHIPPED = {"scenarios": "scenarios", "calibration/data": "calibration",
           "calibration/calibrated": "calibrated"}


class BuildPyWithData(build_py):
    """build_py that also copies the shipped data folders into the built package."""

    def run(self):
        super().run()
        for src, dst in SHIPPED.items():
            source = ROOT / src
            if not source.is_dir():
                raise SystemExit(f"setup.py: {source} is missing; build from a full checkout or sdist")
            for path in sorted(source.rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    target = Path(self.build_lib) / "sim" / "_data" / dst / path.relative_to(source)
                    self.mkpath(str(target.parent))
                    self.copy_file(str(path), str(target))


setup(cmdclass={"build_py": BuildPyWithData})
