"""A live teaching dashboard: collaboration trade-offs you can play with (``gpsim dashboard``).

:mod:`sim.dashboard.controls` turns control values into scenario interventions (and the
standalone / collaborating pair), :mod:`sim.dashboard.state` steps the models and computes the live
views, and :mod:`sim.dashboard.app` is the Solara web app.
"""

SCENARIO_ENV = "GPSIM_DASHBOARD_SCENARIO"  # scenario file the web app runs (set by ``gpsim dashboard``)
REPLICATION_ENV = "GPSIM_DASHBOARD_REPLICATION"  # replication both sides draw their demand from
