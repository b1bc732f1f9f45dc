"""A live teaching dashboard: collaboration trade-offs you can play with (``gpsim dashboard``).

:mod:`sim.dashboard.controls` turns control values into scenario interventions (and the
standalone / collaborating pair), :mod:`sim.dashboard.state` computes the live views of a model,
:mod:`sim.dashboard.controller` steps every side's replications together, :mod:`sim.dashboard.bands`
turns them into means and 95% intervals, :mod:`sim.dashboard.charts` and :mod:`sim.dashboard.export`
draw and export them, and :mod:`sim.dashboard.app` is the Solara web app.
"""

SCENARIO_ENV = "GPSIM_DASHBOARD_SCENARIO"  # scenario file the web app runs (set by ``gpsim dashboard``)
REPLICATION_ENV = "GPSIM_DASHBOARD_REPLICATION"  # first replication both sides draw their demand from
REPLICATIONS_ENV = "GPSIM_DASHBOARD_REPLICATIONS"  # replications per side the app starts with
