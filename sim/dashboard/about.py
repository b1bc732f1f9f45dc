"""The "About this model" panel: what the dashboard's model does and does not include, in plain words.

Drawn from docs/model.md (ODD and Part 3, Limitations); keep the two in step when either changes.
"""

ABOUT = """
**What this is.** A simulation of general practice in one area, day by day. Every GP, nurse,
pharmacist and other clinician is an agent with sessions, leave, sickness and (for GPs) burnout.
Patients, with their age and long-term conditions, ask for appointments, which are booked into
clinicians' diaries. Practices belong to Primary Care Networks (PCNs), and PCNs to a federation.

**What is modelled.** Demand by age, long-term conditions, weekday, month and bank holidays;
same-day and booked-ahead requests; how long a patient will wait before giving up (a *lost*, or
unmet, request); which roles can see which needs; extended-access hubs (one pooled hub or the
same hours split across practices); sickness and leave cover held by the PCN or by each practice;
micro-teams (a named GP for patients with long-term conditions); GP correspondence moved by a
pooled back office; retirements, burnout and GPs cutting sessions; demand growth.

**What is not modelled.**

- Where unmet demand goes: no 111, A&E, pharmacy or self-care.
- The front door only where the scenario has a `front_door:` block (phone queues, online forms, care
  navigation; its panel then shows time to answer, calls abandoned and first-attempt success); it has
  no lever here.
- Workforce pipelines: staff age, leave and are replaced through advertised vacancies, but there are
  no GP trainees, international recruitment or practice closures.
- Deprivation as a cause: practices carry an IMD score for reporting, but no mechanism uses it;
  sex and ethnicity of patients are not modelled.
- The back office's task rates and handling times are assumptions (no national series counts them).

**How to read the numbers.** Compare the two sides; do not read them as forecasts. Both sides of
each replication draw the same demand, so their difference is the levers alone. Lines and numbers
are the mean over the replications; bands, whiskers and the small numbers below each figure are
its 95% interval (more replications, narrower bands). Demand and booking were calibrated to East
London appointment data (2019-20); the example areas are synthetic. The full description, with
sources, is in `docs/model.md`.
"""
