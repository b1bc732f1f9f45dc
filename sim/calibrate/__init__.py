"""Calibration of a scenario to Appointments in General Practice (GPAD) data.

* :mod:`~sim.calibrate.observed`: observed monthly targets for an STP from the GPAD regional
  CSVs, the per-1,000 denominator from the registered lists, and the seasonal demand profile
  estimated from other areas;
* :mod:`~sim.calibrate.sample`: a deterministic stratified sample of the STP's practices to
  simulate (rates per 1,000 and shares do not need the whole STP);
* :mod:`~sim.calibrate.simulated`: the same targets from a run's ledger;
* :mod:`~sim.calibrate.targets`: one component per target, each with its own distance;
* :mod:`~sim.calibrate.fit`: the parameters, the fit (pilot moment matching, Optuna TPE, polish)
  and the evaluation with intervals over replications;
* :mod:`~sim.calibrate.pipeline`: the whole run behind ``gpsim calibrate``, and the transfer
  check on another STP;
* :mod:`~sim.calibrate.plots`: fit.png, holdout.png, transfer.png.
"""

from sim.calibrate.fit import PARAMETERS, apply_parameters
from sim.calibrate.observed import observed_targets, seasonal_profile
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
