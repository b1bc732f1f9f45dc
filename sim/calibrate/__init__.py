"""Calibration of a scenario to Appointments in General Practice (GPAD) data.

* :mod:`~sim.calibrate.observed`: observed monthly targets for an STP from the GPAD regional
  CSVs, the per-1,000 denominator from the registered lists, and the seasonal demand profile
  estimated from other areas;
* :mod:`~sim.calibrate.sample`: a deterministic stratified sample of the STP's practices to
  simulate (rates per 1,000 and shares do not need the whole STP);
* :mod:`~sim.calibrate.simulated`: the same targets from a run's ledger;
* :mod:`~sim.calibrate.runs`: running the model over given months, replications, intervals;
* :mod:`~sim.calibrate.targets`: one component per target, each with its own distance;
* :mod:`~sim.calibrate.parameters`: the fitted parameters and how each changes a scenario;
* :mod:`~sim.calibrate.fit`: the fit's stages (pilot, TPE, refine, calendar correction,
  polish, final choice), with :mod:`~sim.calibrate.moments` (moment matching) and
  :mod:`~sim.calibrate.search` (the seeded Optuna TPE searches);
* :mod:`~sim.calibrate.seasonal`: the calendar terms taken from other areas (seasonality, staff
  mix, holiday booking) and their correction by simulation;
* :mod:`~sim.calibrate.evaluate`: the fit table and the acceptance checks;
* :mod:`~sim.calibrate.transfer`: the calibrated parameters checked on other STPs;
* :mod:`~sim.calibrate.settings`, :mod:`~sim.calibrate.pipeline`: the whole run behind
  ``gpsim calibrate``; :mod:`~sim.calibrate.outputs`: the files it writes;
* :mod:`~sim.calibrate.plots`: fit.png, holdout.png, transfer.png;
* :mod:`~sim.calibrate.area_fit`, :mod:`~sim.calibrate.area_calibrate`: a built area's own
  demand level (``gpsim area build --calibrate``).
"""

from sim.calibrate.observed import observed_targets, seasonal_profile
from sim.calibrate.parameters import PARAMETERS, apply_parameters
from sim.calibrate.simulated import simulated_targets
from sim.calibrate.targets import RateComponent, ShareComponent, default_components

__all__ = [
    "PARAMETERS",
    "RateComponent",
    "ShareComponent",
    "apply_parameters",
    "default_components",
    "observed_targets",
    "seasonal_profile",
    "simulated_targets",
]
