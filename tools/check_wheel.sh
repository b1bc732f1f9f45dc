#!/usr/bin/env bash
# The wheel as a user gets it: build the sdist and the wheel from it, install the wheel in a clean
# virtual environment and, from a folder outside the checkout, run what a new user would:
# gpsim init, gpsim validate on every shipped scenario, gpsim main-job --reps 1 --days 60, the
# calibrate and dashboard defaults, and gpsim bench's "needs a source checkout" message.
# Usage: tools/check_wheel.sh [--keep]   (PY=python3.12 to choose the interpreter; --keep leaves the work folder)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=${PY:-python3}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gpsim-wheel.XXXXXX")
if [[ "${1:-}" == "--keep" ]]; then echo "work folder: $WORK"; else trap 'rm -rf "$WORK"' EXIT; fi
SECONDS=0
step() { printf '\n== [%3ds] %s\n' "$SECONDS" "$*"; }
fail() { echo "check_wheel: FAILED: $*" >&2; exit 1; }

step "build the sdist, then the wheel from the sdist"
"$PY" -m venv "$WORK/build-env"
"$WORK/build-env/bin/python" -m pip install --quiet --upgrade pip build
"$WORK/build-env/bin/python" -m build --outdir "$WORK/dist" "$ROOT" >"$WORK/build.log" 2>&1 \
  || { tail -40 "$WORK/build.log"; fail "python -m build"; }
WHEEL=$(ls "$WORK"/dist/gpsim-*.whl)
echo "built $(basename "$WHEEL") ($(du -h "$WHEEL" | cut -f1))"
"$WORK/build-env/bin/python" - "$WHEEL" "$ROOT" <<'PY'
import sys, zipfile
from pathlib import Path
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
root = Path(sys.argv[2])
want = [f"sim/_data/scenarios/{p.name}" for p in (root / "scenarios").iterdir() if p.is_file()]
want += [f"sim/_data/calibration/{p.relative_to(root / 'calibration/data').as_posix()}"
         for p in (root / "calibration/data").rglob("*") if p.is_file()]
want += [f"sim/_data/calibrated/{p.name}" for p in (root / "calibration/calibrated").iterdir() if p.is_file()]
missing = [w for w in want if w not in names]
if missing:
    sys.exit(f"check_wheel: FAILED: the wheel lacks {missing}")
print(f"the wheel carries all {len(want)} shipped data files")
PY

step "install the wheel in a clean virtual environment"
"$PY" -m venv "$WORK/venv"
"$WORK/venv/bin/python" -m pip install --quiet --upgrade pip
"$WORK/venv/bin/python" -m pip install --quiet "$WHEEL"
GPSIM="$WORK/venv/bin/gpsim"
mkdir -p "$WORK/user" && cd "$WORK/user"   # outside the checkout: nothing can come from it

step "the package and its data come from the venv, not the checkout"
"$WORK/venv/bin/python" - "$ROOT" <<'PY'
import sys
from pathlib import Path
import sim
from sim import resources
root = Path(sys.argv[1]).resolve()
for path in (Path(sim.__file__), resources.scenarios_dir(), resources.calibration_data_dir()):
    if root in path.resolve().parents:
        sys.exit(f"check_wheel: FAILED: {path} is in the checkout")
assert resources.checkout_root() is None and resources.benchmarks_script() is None
print("sim:", Path(sim.__file__).parent, "| scenarios:", resources.scenarios_dir())
PY
"$GPSIM" --version

step "gpsim init copies the example scenarios"
"$GPSIM" init my-scenarios
test -f my-scenarios/baseline.yaml && test -f my-scenarios/small.yaml || fail "gpsim init"

step "gpsim validate on every shipped scenario (the packaged copies and the init copies)"
SHIPPED=$("$WORK/venv/bin/python" -c 'from sim.resources import scenarios_dir; print(scenarios_dir())')
"$GPSIM" validate "$SHIPPED"/*.yaml
"$GPSIM" validate my-scenarios/*.yaml >/dev/null
CALIBRATED=$("$WORK/venv/bin/python" -c 'from sim.resources import calibrated_dir; print(calibrated_dir())')
"$GPSIM" validate "$CALIBRATED"/*.yaml   # area build --calibrate's shipped parameters
[[ $(ls "$SHIPPED"/*.yaml | wc -l) -eq $(ls "$ROOT"/scenarios/*.yaml | wc -l) ]] || fail "scenario count differs"

step "calibrate and dashboard defaults point into the installed package"
"$WORK/venv/bin/python" - <<'PY'
from sim.cli.calibrate import calibrate
from sim.cli.dashboard import default_scenario
defaults = {p.name: p.default for p in calibrate.params}
for name in ("map_file", "patients_file"):
    assert defaults[name] is not None and defaults[name].is_file(), (name, defaults[name])
    assert "site-packages/sim/_data/calibration" in defaults[name].as_posix(), defaults[name]
    print(f"calibrate {name} default:", defaults[name])
assert default_scenario().is_file(), default_scenario()
print("dashboard default:", default_scenario())
PY
"$GPSIM" calibrate --help >/dev/null && "$GPSIM" dashboard --help >/dev/null

step "gpsim bench explains that it needs a source checkout"
if "$GPSIM" bench --sizes pcn >bench.out 2>&1; then fail "gpsim bench ran without benchmarks/"; fi
grep -q "source checkout" bench.out || { cat bench.out; fail "gpsim bench message"; }
! grep -q Traceback bench.out || fail "gpsim bench traceback"
cat bench.out

step "gpsim dashboard without its extra names the extra to install"
if "$GPSIM" dashboard --no-browser >dash.out 2>&1; then fail "gpsim dashboard started without solara"; fi
grep -q "gpsim\[dashboard\]" dash.out || { cat dash.out; fail "gpsim dashboard message"; }
cat dash.out

step "gpsim main-job --reps 1 --days 60"
"$GPSIM" main-job --reps 1 --days 60 --out "$WORK/main" --workers "${WORKERS:-2}"
test -s "$WORK/main/comparison.csv" || fail "no comparison.csv"
test -s "$WORK/main/report.html" || fail "no report.html"

step "wheel check passed in ${SECONDS}s"
