"""The outcome registry: every outcome in ``summary.csv`` with its label, unit, better direction and format.

The summary takes each metric's unit from here; the terminal tables, ``compare``, the report, the
Excel workbook and the dashboard take labels, number formats and which direction is better. A
family such as ``fte:<role>`` stands for one metric per key (``fte:GP``, ``fte:Nurse`` ...); its
label has a ``{key}`` slot. Adding an outcome to the summary means adding it here (a test checks).
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

import numpy as np
import pandas as pd

LEVEL_ORDER = ("lgpo", "pcn", "practice")  # the whole area first, then PCNs, then practices
ALL_LEVELS = frozenset(LEVEL_ORDER)
AREA_ONLY = frozenset({"lgpo"})
_RANK = {level: k for k, level in enumerate(LEVEL_ORDER)}

Better = Literal["lower", "higher"] | None
Group = Literal["Size", "Access", "Workload", "Workforce", "Cost", "Equity"]


@dataclass(frozen=True)
class Outcome:
    """One outcome: the metric name in summary.csv and how to show and judge it."""

    name: str  # the metric; a family ends ":<role>", ":<bin>" or ":<mode>"
    label: str  # words for a table row ("{key}" is filled in for a family)
    unit: str  # the summary's `units` column
    better: Better  # which way is an improvement; None where neither is
    fmt: str  # number format for tables
    group: Group
    short: str = ""  # column heading where space is short (default: the label)
    levels: frozenset[str] = ALL_LEVELS  # levels of the summary where it exists

    @property
    def direction(self) -> int:
        """+1 when a rise is worse, -1 when a rise is better, 0 when neither."""
        return {"lower": 1, "higher": -1, None: 0}[self.better]

    @property
    def heading(self) -> str:
        """The short label, else the label."""
        return self.short or self.label

    @property
    def family(self) -> bool:
        """True for a family of metrics, one per role, bin or mode."""
        return ":<" in self.name

    @property
    def decimals(self) -> int:
        """Decimal places of the number format (for displays that take a count, like the dashboard)."""
        match = re.search(r"\.(\d+)f", self.fmt)
        return int(match.group(1)) if match else 0

    @property
    def bounds(self) -> tuple[float, float]:
        """The range the outcome can take: 0-100 for a share of a whole, 0-1 for an index, else 0 upwards.

        Every outcome in the registry is a count, rate, share, time, FTE, index or cost of at least 0; the
        report clips intervals to this range (``sim.results.intervals.clip_interval``). Slot utilisation
        is not a share of a whole: extras booked beyond the offered slots take it over 100%.
        """
        if self.unit.startswith(("% of requests", "% of appointments")):
            return 0.0, 100.0
        if self.unit.startswith("index 0-1"):
            return 0.0, 1.0
        return 0.0, math.inf

    def format(self, value: float) -> str:
        """``value`` in this outcome's number format."""
        return self.fmt.format(value)


def _o(name: str, label: str, unit: str, better: Better, fmt: str, group: Group, short: str = "",
       levels: frozenset[str] = ALL_LEVELS) -> Outcome:
    return Outcome(name, label, unit, better, fmt, group, short, levels)


PCT_APPTS = "% of appointments"
PER_FTE_WEEK = "hours per FTE per week"
GP_HOURS_WEEK = "GP hours per week"
GBP_YEAR = "GBP per year"
PCN_AREA = frozenset({"pcn", "lgpo"})
PRACTICE_ONLY = frozenset({"practice"})

OUTCOMES: tuple[Outcome, ...] = (
    _o("list_size", "Registered patients", "patients", None, "{:,.0f}", "Size", "Patients"),
    _o("requests", "Requests", "requests", None, "{:,.0f}", "Access"),
    _o("requests_per_1000_year", "Requests for appointments", "requests per 1,000 patients per year", None,
       "{:,.0f}", "Access", "Requests"),
    _o("appointments", "Appointments booked", "appointments", None, "{:,.0f}", "Access"),
    _o("appointments_per_1000_year", "Appointments", "appointments per 1,000 patients per year", None,
       "{:,.0f}", "Access"),
    _o("lost", "Requests lost", "requests", "lower", "{:,.0f}", "Access"),
    _o("lost_pct", "Requests lost (unmet demand)", "% of requests", "lower", "{:.2f}", "Access", "Lost"),
    _o("unmet_per_1000", "Unmet demand over the horizon", "lost requests per 1,000 patients over the horizon",
       "lower", "{:,.1f}", "Access"),
    _o("unmet_per_1000_year", "Unmet demand", "lost requests per 1,000 patients per year", "lower", "{:,.0f}",
       "Access"),
    # where unmet demand went (sim.model.destinations; docs/sources.md): the five add up to unmet_per_1000_year
    _o("ae_attendances_unmet_per_1000_year", "A&E attendances after unmet demand",
       "attendances per 1,000 patients per year", "lower", "{:,.1f}", "Access", "A&E (unmet)"),
    _o("nhs111_contacts_unmet_per_1000_year", "NHS 111 contacts after unmet demand",
       "contacts per 1,000 patients per year", "lower", "{:,.1f}", "Access", "NHS 111 (unmet)"),
    _o("utc_attendances_unmet_per_1000_year", "Urgent treatment centre attendances after unmet demand",
       "attendances per 1,000 patients per year", "lower", "{:,.1f}", "Access", "UTC (unmet)"),
    _o("pharmacy_contacts_unmet_per_1000_year", "Community pharmacy contacts after unmet demand",
       "contacts per 1,000 patients per year", "lower", "{:,.1f}", "Access", "Pharmacy (unmet)"),
    _o("unmet_not_pursued_per_1000_year", "Unmet requests not pursued", "lost requests per 1,000 patients per year",
       "lower", "{:,.1f}", "Access", "Not pursued"),
    _o("waiting_at_end", "Requests still waiting at the end", "requests", None, "{:,.0f}", "Access"),
    _o("calls_per_1000_week", "Calls to the practice (front door)", "calls per 1,000 patients per week", None,
       "{:,.0f}", "Access", "Calls"),
    _o("time_to_answer_minutes", "Mean time to answer a call", "minutes", "lower", "{:.1f}", "Access",
       "Time to answer"),
    _o("calls_abandoned_pct", "Calls abandoned (hung up before answered)", "% of calls", "lower", "{:.1f}",
       "Access", "Calls abandoned"),
    _o("calls_engaged_pct", "Calls that heard engaged", "% of calls", "lower", "{:.1f}", "Access", "Engaged"),
    _o("first_attempt_pct", "Telephone requests through at the first attempt", "% of requests (telephone)",
       "higher", "{:.1f}", "Access", "Through first time"),
    _o("contacts_gave_up", "Contacts that gave up at the front door", "requests", "lower", "{:,.0f}", "Access",
       "Gave up"),
    _o("gave_up_pct", "Requests that gave up at the front door", "% of requests", "lower", "{:.2f}", "Access",
       "Gave up %"),
    _o("online_over_cap", "Online forms over the daily cap (phoned instead)", "requests", None, "{:,.0f}", "Access",
       "Online over cap"),
    _o("resolved_at_triage", "Requests resolved at triage (total triage)", "requests", None, "{:,.0f}", "Access",
       "Resolved at triage"),
    _o("resolved_at_triage_pct", "Requests resolved at triage", "% of requests", None, "{:.1f}", "Access",
       "Resolved at triage %"),
    _o("gp_triage_hours_per_week", "GP time on triage", "GP hours per week", None, "{:.1f}", "Workload",
       "GP triage"),
    _o("navigated", "Requests navigated elsewhere (care navigation)", "requests", None, "{:,.0f}", "Access",
       "Navigated"),
    _o("navigated_pct", "Requests navigated elsewhere (care navigation)", "% of requests", None, "{:.1f}", "Access",
       "Navigated %"),
    _o("navigated_to:<target>", "Requests navigated to {key}", "requests", None, "{:,.0f}", "Access", "To {key}"),
    _o("booked_with_team", "Requests the care navigator booked with the team member who fits", "requests", None,
       "{:,.0f}", "Access", "To the team"),
    _o("referred_by_111", "Weekend urgent requests referred by NHS 111", "requests", None, "{:,.0f}", "Access",
       "Referred by 111"),
    _o("requests_channel:<channel>", "Requests by {key}", "requests", None, "{:,.0f}", "Access", "{key}"),
    _o("dna_pct", "Did not attend", PCT_APPTS, "lower", "{:.2f}", "Access", "DNA"),
    _o("mean_wait_days", "Mean days from request to appointment", "days", "lower", "{:.2f}", "Access",
       "Mean wait"),
    _o("p90_wait_days", "90th percentile days to appointment", "days", "lower", "{:.1f}", "Access",
       "90th percentile wait"),
    _o("gp_share_pct", "Appointments with a GP", PCT_APPTS, None, "{:.1f}", "Access", "With a GP"),
    _o("wait_bin_pct:Same Day", "Seen the same day", PCT_APPTS, "higher", "{:.1f}", "Access", "Seen same day"),
    _o("wait_bin_pct:<bin>", "Appointments {key} from booking", PCT_APPTS, None, "{:.1f}", "Access", "{key}"),
    _o("mode_pct:<mode>", "Appointments {key}", PCT_APPTS, None, "{:.1f}", "Access", "{key}"),
    _o("continuity_upc", "Continuity (UPC, patients with long-term conditions)", "index 0-1", "higher",
       "{:.3f}", "Access", "Continuity"),
    _o("utilisation_pct", "Slot utilisation", "% of offered slots booked", "lower", "{:.1f}", "Workload",
       "Slots booked"),
    _o("utilisation_pct:<role>", "{key} slot utilisation", "% of offered slots booked", "lower", "{:.1f}",
       "Workload", "{key} slots booked"),
    _o("overtime_hours_per_week", "Clinician overtime", "hours per week (all clinicians)", "lower", "{:.1f}",
       "Workload", "Overtime"),
    _o("appointments_per_fte_week:<role>", "{key} appointments per FTE", "appointments per FTE per week", "lower",
       "{:.1f}", "Workload", "{key} appointments"),
    _o("clinical_hours_per_fte_week:<role>", "{key} clinical hours per FTE", PER_FTE_WEEK, "lower", "{:.1f}",
       "Workload", "{key} clinical hours"),
    _o("admin_hours_per_fte_week:<role>", "{key} admin hours per FTE", PER_FTE_WEEK, "lower", "{:.2f}",
       "Workload", "{key} admin hours"),
    _o("overtime_hours_per_fte_week:<role>", "{key} overtime per FTE", PER_FTE_WEEK, "lower", "{:.2f}",
       "Workload", "{key} overtime"),
    _o("fte:<role>", "{key} FTE in post", "FTE (mean in post)", None, "{:.1f}", "Workforce", "{key} FTE"),
    _o("days_below_75pct_capacity", "Days a practice runs below 75% of planned capacity",
       "working days in the horizon", "lower", "{:.1f}", "Workload", "Short-staffed days"),
    _o("gp_correspondence_hours_per_week", "GP correspondence", GP_HOURS_WEEK, "lower", "{:.1f}", "Workload"),
    _o("gp_supervision_hours_per_week", "GP supervision of other roles", GP_HOURS_WEEK, None, "{:.1f}",
       "Workload"),
    _o("admin_hours_per_week", "Back-office hours worked", "hours per week", None, "{:,.0f}", "Workload",
       "Admin hours"),
    _o("admin_overtime_hours_per_week", "Admin overtime", "hours per week", "lower", "{:.1f}", "Workload"),
    _o("admin_backlog_mean", "Admin tasks waiting (mean, end of day)", "tasks", "lower", "{:,.0f}", "Workload",
       "Admin backlog"),
    _o("admin_backlog_at_end", "Admin tasks waiting at the end", "tasks", "lower", "{:,.0f}", "Workload"),
    _o("admin_turnaround_working_days", "Admin task turnaround", "working days", "lower", "{:.2f}", "Workload",
       "Admin turnaround"),
    _o("repeat_prescriptions_in_target_pct", "Repeat prescriptions done within 48 working hours",
       "% of requests", "higher", "{:.1f}", "Workload", "Prescriptions in 48 h"),
    _o("correspondence_in_target_pct", "Correspondence coded within target", "% of documents", "higher",
       "{:.1f}", "Workload", "Correspondence in target"),
    _o("admin_hours_saved_specialisation_per_week", "Admin hours saved by specialisation", "hours per week",
       "higher", "{:.1f}", "Workload"),
    _o("admin_hours_saved_shared_functions_per_week", "Admin hours saved by shared functions", "hours per week",
       "higher", "{:.1f}", "Workload"),
    _o("admin_hours_handoffs_per_week", "Admin hours on hand-offs", "hours per week", "lower", "{:.1f}",
       "Workload"),
    _o("admin_hours_transition_per_week", "Admin hours lost to set-up and transition", "hours per week", "lower",
       "{:.1f}", "Workload"),
    _o("coordinator_hours_per_week", "Coordinator hours on GP correspondence", "hours per week", None, "{:.1f}",
       "Workload"),
    _o("reception_hours_added_per_week", "Admin hours moved to reception", "hours per week", None, "{:.1f}",
       "Workload"),
    _o("admin_cash_saved_gbp_year", "Admin hours cut (cash saving)", "GBP per year", "higher", "{:,.0f}",
       "Workload"),
    _o("admin_cost_per_10k_gbp_year", "Admin staff cost", "GBP per 10,000 patients per year", "lower",
       "{:,.0f}", "Workload", "Admin cost"),
    _o("cost_total_gbp_year", "Total cost (staff, overtime, interventions)", GBP_YEAR, "lower", "{:,.0f}", "Cost",
       "Total cost"),
    _o("cost_staff_gbp_year", "Staff cost (FTE-days in post)", GBP_YEAR, "lower", "{:,.0f}", "Cost", "Staff cost"),
    _o("cost_overtime_gbp_year", "Overtime cost (hours worked)", GBP_YEAR, "lower", "{:,.0f}", "Cost",
       "Overtime cost"),
    _o("cost_interventions_gbp_year", "Intervention running and set-up costs", GBP_YEAR, "lower", "{:,.0f}",
       "Cost", "Intervention cost"),
    _o("cost_per_1000_gbp_year", "Total cost per 1,000 patients", "GBP per 1,000 patients per year", "lower",
       "{:,.0f}", "Cost", "Cost per 1,000"),
    _o("staff_cost_per_1000_gbp_year", "Staff cost per 1,000 patients", "GBP per 1,000 patients per year", "lower",
       "{:,.0f}", "Cost", "Staff cost per 1,000"),
    _o("cost_total_pv_gbp", "Present value of the total cost (Green Book 3.5%)", "GBP (present value over the horizon)",
       "lower", "{:,.0f}", "Cost", "Cost (PV)"),
    _o("cost_per_appointment_gbp", "Staff and overtime cost per appointment", "GBP per appointment", "lower",
       "{:,.2f}", "Cost", "Cost per appointment"),
    _o("cost_per_appointment_gbp:<role>", "{key} cost per appointment", "GBP per appointment", "lower", "{:,.2f}",
       "Cost", "{key} cost per appointment"),
    _o("pcn_staff_arrs_reimbursable_gbp_year", "PCN staff cost the ARRS reimburses", GBP_YEAR, None, "{:,.0f}",
       "Cost", "ARRS-funded", levels=PCN_AREA),
    _o("pcn_staff_not_reimbursable_gbp_year", "PCN staff cost the ARRS does not reimburse", GBP_YEAR, "lower",
       "{:,.0f}", "Cost", "Not ARRS-funded", levels=PCN_AREA),
    _o("imd_score", "IMD 2019 score of the practice's patients", "IMD 2019 score (higher = more deprived)", None,
       "{:.1f}", "Equity", "IMD score", levels=PRACTICE_ONLY),
    _o("imd_quintile", "National IMD quintile of the practice", "national quintile (1 = most deprived)", None,
       "{:.0f}", "Equity", "IMD quintile", levels=PRACTICE_ONLY),
    _o("weighted_patients", "Carr-Hill weighted patients", "patients (need-weighted)", None, "{:,.0f}", "Equity",
       "Weighted patients"),
    _o("need_index", "Carr-Hill need index (weighted / registered patients)", "ratio", None, "{:.3f}", "Equity",
       "Need index"),
    _o("appointments_per_1000_weighted_year", "Appointments per 1,000 weighted patients",
       "appointments per 1,000 weighted patients per year", None, "{:,.0f}", "Equity", "Appts / 1,000 weighted"),
    _o("gp_fte_per_10k_weighted", "GP FTE per 10,000 weighted patients", "FTE per 10,000 weighted patients", "higher",
       "{:.2f}", "Equity", "GP FTE / 10k weighted"),
    _o("appointments_per_1000_weighted_imd:<q>", "Appointments per 1,000 weighted patients, IMD quintile {key}",
       "appointments per 1,000 weighted patients per year", None, "{:,.0f}", "Equity", "Appts / 1,000 weighted {key}",
       levels=PCN_AREA),
    _o("requests_imd:<q>", "Requests, IMD quintile {key}", "requests", None, "{:,.0f}", "Equity",
       "Requests {key}", levels=PCN_AREA),
    _o("lost_pct_imd:<q>", "Requests lost, IMD quintile {key} (Q1 most deprived)", "% of requests", "lower",
       "{:.2f}", "Equity", "Lost {key}", levels=PCN_AREA),
    _o("mean_wait_days_imd:<q>", "Mean wait, IMD quintile {key}", "days", "lower", "{:.2f}", "Equity",
       "Mean wait {key}", levels=PCN_AREA),
    _o("continuity_upc_imd:<q>", "Continuity (UPC), IMD quintile {key}", "index 0-1", "higher", "{:.3f}",
       "Equity", "Continuity {key}", levels=PCN_AREA),
    _o("requests_age:<band>", "Requests, age {key}", "requests", None, "{:,.0f}", "Equity", "Requests {key}"),
    _o("lost_pct_age:<band>", "Requests lost, age {key}", "% of requests", "lower", "{:.2f}", "Equity",
       "Lost {key}"),
    _o("mean_wait_days_age:<band>", "Mean wait, age {key}", "days", "lower", "{:.2f}", "Equity",
       "Mean wait {key}"),
    _o("continuity_upc_age:<band>", "Continuity (UPC), age {key}", "index 0-1", "higher", "{:.3f}", "Equity",
       "Continuity {key}"),
    # where unmet demand went, by group (sim.results.summary_destination_groups): per 1,000 of the group's patients
    _o("ae_attendances_unmet_per_1000_year_imd:<q>", "A&E attendances after unmet demand, IMD quintile {key}",
       "attendances per 1,000 patients of the quintile per year", "lower", "{:,.1f}", "Equity", "A&E (unmet) {key}",
       levels=PCN_AREA),
    _o("nhs111_contacts_unmet_per_1000_year_imd:<q>", "NHS 111 contacts after unmet demand, IMD quintile {key}",
       "contacts per 1,000 patients of the quintile per year", "lower", "{:,.1f}", "Equity",
       "NHS 111 (unmet) {key}", levels=PCN_AREA),
    _o("utc_attendances_unmet_per_1000_year_imd:<q>", "UTC attendances after unmet demand, IMD quintile {key}",
       "attendances per 1,000 patients of the quintile per year", "lower", "{:,.1f}", "Equity", "UTC (unmet) {key}",
       levels=PCN_AREA),
    _o("pharmacy_contacts_unmet_per_1000_year_imd:<q>", "Pharmacy contacts after unmet demand, IMD quintile {key}",
       "contacts per 1,000 patients of the quintile per year", "lower", "{:,.1f}", "Equity",
       "Pharmacy (unmet) {key}", levels=PCN_AREA),
    _o("unmet_not_pursued_per_1000_year_imd:<q>", "Unmet requests not pursued, IMD quintile {key}",
       "lost requests per 1,000 patients of the quintile per year", "lower", "{:,.1f}", "Equity",
       "Not pursued {key}", levels=PCN_AREA),
    _o("ae_attendances_unmet_per_1000_year_age:<band>", "A&E attendances after unmet demand, age {key}",
       "attendances per 1,000 patients of the age band per year", "lower", "{:,.1f}", "Equity", "A&E (unmet) {key}"),
    _o("nhs111_contacts_unmet_per_1000_year_age:<band>", "NHS 111 contacts after unmet demand, age {key}",
       "contacts per 1,000 patients of the age band per year", "lower", "{:,.1f}", "Equity", "NHS 111 (unmet) {key}"),
    _o("utc_attendances_unmet_per_1000_year_age:<band>", "UTC attendances after unmet demand, age {key}",
       "attendances per 1,000 patients of the age band per year", "lower", "{:,.1f}", "Equity", "UTC (unmet) {key}"),
    _o("pharmacy_contacts_unmet_per_1000_year_age:<band>", "Pharmacy contacts after unmet demand, age {key}",
       "contacts per 1,000 patients of the age band per year", "lower", "{:,.1f}", "Equity",
       "Pharmacy (unmet) {key}"),
    _o("unmet_not_pursued_per_1000_year_age:<band>", "Unmet requests not pursued, age {key}",
       "lost requests per 1,000 patients of the age band per year", "lower", "{:,.1f}", "Equity",
       "Not pursued {key}"),
    _o("gp_fte_end", "GP FTE in post at the end", "FTE", "higher", "{:.1f}", "Workforce"),
    _o("fte_end:<role>", "{key} FTE in post at the end", "FTE", None, "{:.1f}", "Workforce", "{key} FTE at end"),
    _o("leavers", "Leavers (retired or left)", "staff", "lower", "{:.1f}", "Workforce"),
    _o("leavers_by_reason:<reason>", "Leavers: {key}", "staff", "lower", "{:.1f}", "Workforce"),
    _o("retirements", "Retirements", "staff", "lower", "{:.1f}", "Workforce"),
    _o("recruits", "Recruits (vacancies filled)", "staff", None, "{:.1f}", "Workforce"),
    _o("vacancies_end", "Vacancies open at the end", "posts", "lower", "{:.1f}", "Workforce"),
    _o("trainees_end", "GP specialty trainees (ST1-ST3) in post at the end", "trainees", None, "{:.1f}",
       "Workforce"),
    _o("qualified_joiners", "Newly qualified GPs joining from training", "GPs", "higher", "{:.1f}", "Workforce"),
    _o("international_recruits", "International GP recruits", "GPs", None, "{:.1f}", "Workforce"),
    _o("sessions_cut", "GP sessions cut", "sessions per week", "lower", "{:.1f}", "Workforce", levels=AREA_ONLY),
    _o("gp_burnout_mean", "Mean GP burnout", "index 0-1", "lower", "{:.3f}", "Workforce"),
    # practice closures (workforce.closures; sim.results.closure_outcomes), only when enabled
    _o("practices_closed", "Practices closed or merged", "practices", "lower", "{:.1f}", "Workforce"),
    _o("patients_moved_out", "Patients moved from closed practices", "patients", "lower", "{:,.0f}", "Workforce",
       "Patients moved out"),
    _o("patients_moved_in", "Patients received from closed practices", "patients", None, "{:,.0f}", "Workforce",
       "Patients moved in"),
    _o("patients_moved_out_of_pcn", "Patients moved to another PCN", "patients", "lower", "{:,.0f}", "Workforce",
       "Moved out of PCN"),
    _o("practices_open_end", "Practices open at the end", "practices", "higher", "{:.1f}", "Workforce"),
)
# outcomes that only comparison.csv has: derived from two scenarios' summaries, never in summary.csv
COMPARISON_OUTCOMES: tuple[Outcome, ...] = (
    _o("cost_per_unmet_avoided_gbp", "Cost per unmet request avoided (against the reference)",
       "GBP per lost request avoided", "lower", "{:,.0f}", "Cost", "Cost per request avoided"),
)
_BY_NAME = {o.name: o for o in (*OUTCOMES, *COMPARISON_OUTCOMES)}
_FAMILY = {o.name.split(":", 1)[0]: o for o in OUTCOMES if o.family}


def _words(key: str) -> str:
    """A family key for display: single spaces, underscores as spaces ('8  to 14 Days' -> '8 to 14 Days')."""
    return " ".join(key.replace("_", " ").split())


@cache
def find(metric: str) -> Outcome | None:
    """The outcome of a summary metric (a family member gets its key in its label), or None if unknown."""
    if metric in _BY_NAME:
        return _BY_NAME[metric]
    base, _, key = metric.partition(":")
    family = _FAMILY.get(base) if key else None
    if family is None:
        return None
    words = _words(key)
    return dataclasses.replace(family, name=metric, label=family.label.format(key=words),
                               short=family.short.format(key=words))


def outcome(metric: str) -> Outcome:
    """The outcome of a summary metric; KeyError for a metric not in the registry."""
    found = find(metric)
    if found is None:
        raise KeyError(f"{metric!r} is not in the outcome registry (sim/results/outcomes.py)")
    return found


def unit_of(metric: str) -> str:
    """The unit of a summary metric ('' for one not in the registry)."""
    found = find(metric)
    return found.unit if found else ""


def level_rank(levels: pd.Series) -> pd.Series:
    """Each level's place in LEVEL_ORDER (0 = the whole area)."""
    return levels.map(_RANK)


def by_level(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows ordered area, PCNs, practices, then by unit; otherwise in the order they came.

    One stable ``np.lexsort`` on the level's rank and the unit's sorted code (a missing level or unit
    last, as ``sort_values`` puts it) and one take, not a sort on a new column of a copy.
    """
    if frame.empty:
        return frame.reset_index(drop=True)
    rank = level_rank(frame["level"]).to_numpy(dtype=float, na_value=np.nan)
    unit = pd.factorize(frame["unit"], sort=True)[0]
    unit = np.where(unit < 0, unit.max() + 1, unit)
    return frame.take(np.lexsort((unit, rank))).reset_index(drop=True)
