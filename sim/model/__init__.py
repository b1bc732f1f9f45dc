"""Stage 2, the model: GPSimModel, its agents and the mechanisms of a simulated day.

- ``model``: GPSimModel (clock, step/run, the day driver); ``build``: organisation, staff, patients,
  calendars, booking options and demand; ``daycycle``: open the book, book, run and collect sessions;
  ``phases``: the named phases mechanisms act in; ``levers``: everything an intervention may change.
- ``agents``, ``organisation``, ``population``, ``calendar``, ``rng``, ``units``: the pieces.
- ``demand`` (requests), ``diary`` + ``day_book`` + ``states`` (the appointment book and the
  ledger's states), ``booking`` (compiled booking), ``clinic`` (compiled sessions), ``walk_in``
  (the walk-in queue), ``staff_days`` (work done per staff member and day).
- ``back_office`` + ``back_office_queue`` (admin tasks served by admin staff agents; pooling).
- ``workforce`` (joining, leaving, burnout, cover), ``hubs`` (extended access), ``interventions``
  (every scenario intervention as a mechanism).
"""
