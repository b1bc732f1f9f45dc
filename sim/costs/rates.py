"""Published pay rates and on-cost rates, each with its unit, source and date.

Every number here is a default a user may override (the dataclasses are frozen; make a new one
with :func:`dataclasses.replace`). Every staff price is brought to one price year,
:data:`PRICE_YEAR` (2025/26): a figure published for an earlier year is uplifted by the pay awards
since (:func:`pay_uplift`): GP earnings (2022/23) and the locum fee (2023) by the DDRB awards for
GPs, :data:`DDRB_GP_AWARDS`; Agenda for Change and resident doctors' pay are 2025/26 scales already.
Intervention prices (``sim.config.interventions``) stay in the years their sources give.

Sources:

* Employer National Insurance: HM Revenue & Customs, "Rates and thresholds for employers 2025 to
  2026": Class 1 secondary rate 15% above the secondary threshold of GBP 5,000 a year, from
  6 April 2025 (13.8% above GBP 9,100 before). The Employment Allowance (GBP 10,500 a year per
  employer from 6 April 2025) is per employer, not per post, and is not applied.
* NHS Pension Scheme (England and Wales): NHS Employers, "NHS Pension Scheme - employer
  contributions from April 2024" (14 March 2024): the employer contribution rate is 23.7% of
  pensionable pay from 1 April 2024 (20.6% from 1 April 2019 to 31 March 2024), plus an
  administration levy of 0.08%; employers pay 14.38% (14.3% + the levy) and the remaining 9.4% is
  funded centrally by NHS England / DHSC.
* Agenda for Change: NHS Employers, "Pay scales for 2025/26" (the 3.6% award from 1 April 2025):
  annual basic pay at the entry and top step point of each band, England, before high cost area
  supplements (London weighting).
* FTE = 37.5 hours a week (NHS Digital workforce methodology; Agenda for Change full time).
* Pay awards (to bring GP pay to 2025/26): Review Body on Doctors' and Dentists' Remuneration
  (DDRB), accepted by the government: 2022/23 4.5% to the salaried GP pay range (50th report, July
  2022; used only to uplift the 2021/22 earnings edition), 2023/24 6% for salaried GPs (51st report, July 2023), 2024/25
  6% to salaried GP pay ranges and the pay element of the GP contract (52nd report, July 2024),
  2025/26 4% to salaried GP pay ranges and the pay element of the GP contract (53rd report, 22 May
  2025; DHSC written statement; LLR LMC "DDRB Uplift 2025"). Contractor GPs had no separate
  2023/24 recommendation (the 2019 five-year deal); the salaried award is applied to them as well.
* Resident doctors in training (GP specialty trainees ST1-ST3): NHS Employers / BMA, pay scales for
  resident doctors in England 2025/26 (the 2016 contract; DDRB 53rd report: 4% + GBP 750
  consolidated): nodal point 3 (ST1-ST2) GBP 52,655.36, nodal point 4 (ST3-ST5) GBP 65,048 a year
  basic pay (HCSA, "Resident doctor pay: key information", 2025, quoting the award on the 2024/25
  points of GBP 49,909 and 61,825).
* HM Treasury, The Green Book (2022, updated 2024), annex A6: the social time preference rate,
  3.5% a year for years 0-30, 3.0% for 31-75, 2.5% for 76-125, 2.0% for 126-200, 1.5% for 201-300
  and 1.0% after.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Perspective = Literal["nhs", "practice"]

#: Hours a week of 1.0 FTE (NHS Digital workforce methodology; Agenda for Change full time).
HOURS_PER_FTE_WEEK = 37.5

#: Days a year used to turn an annual cost into a daily one (and FTE-days into FTE-years).
DAYS_PER_YEAR = 365.25

#: The one price year of every staff price (financial year, England).
PRICE_YEAR = "2025/26"

#: DDRB pay awards for GPs by financial year, fraction (see the module docstring for each report).
DDRB_GP_AWARDS: dict[str, float] = {"2022/23": 0.045, "2023/24": 0.06, "2024/25": 0.06, "2025/26": 0.04}


def _next_year(year: str) -> str:
    start = int(year[:4]) + 1
    return f"{start}/{(start + 1) % 100:02d}"


def pay_uplift(from_year: str, awards: dict[str, float] | None = None, to_year: str = PRICE_YEAR) -> float:
    """Factor taking pay of financial year ``from_year`` ("2022/23") to ``to_year`` with each later year's award."""
    awards = DDRB_GP_AWARDS if awards is None else awards
    if len(from_year) != 7 or from_year[4] != "/" or not from_year[:4].isdigit():
        raise ValueError(f"price year {from_year!r} is not a financial year such as '2022/23'")
    if from_year > to_year:
        raise ValueError(f"price year {from_year} is after {to_year}")
    factor, year = 1.0, from_year
    while year < to_year:
        year = _next_year(year)
        if year not in awards:
            raise KeyError(f"no pay award for {year} to bring {from_year} prices to {to_year}")
        factor *= 1.0 + awards[year]
    return factor


@dataclass(frozen=True)
class OnCosts:
    """Employer on-costs added to an employee's basic pay.

    ``perspective="nhs"`` (the default, for appraisal to a board or commissioner) counts the whole
    employer pension contribution, including the 9.4% of pensionable pay NHS England pays
    centrally; ``"practice"`` counts only what the employing practice or PCN pays (14.38%).
    """

    employer_ni_rate: float = 0.15
    """Class 1 secondary NI, fraction of pay above the threshold (HMRC, from 6 April 2025)."""
    employer_ni_threshold_gbp: float = 5_000.0
    """Secondary threshold, GBP a year (HMRC, from 6 April 2025)."""
    pension_employer_rate: float = 0.237
    """NHS Pension Scheme employer contribution, fraction of pensionable pay (NHS Employers,
    from 1 April 2024)."""
    pension_admin_levy: float = 0.0008
    """NHS Pension Scheme administration levy, fraction of pensionable pay (NHS Employers, 2024)."""
    pension_paid_by_employer: float = 0.1438
    """Share the employer itself pays, levy included (14.3% + 0.08%; the rest is paid centrally)."""
    perspective: Perspective = "nhs"

    @property
    def pension_rate(self) -> float:
        """Employer pension cost as a fraction of pensionable pay, in this perspective."""
        if self.perspective == "practice":
            return self.pension_paid_by_employer
        return self.pension_employer_rate + self.pension_admin_levy

    @property
    def central_pension_rate(self) -> float:
        """The employer pension paid centrally (counted in the NHS perspective only): 9.4%."""
        if self.perspective == "practice":
            return 0.0
        return self.pension_employer_rate + self.pension_admin_levy - self.pension_paid_by_employer

    def employer_ni(self, pay_gbp: float) -> float:
        """Employer NI on a year's pay for one post (GBP a year)."""
        return self.employer_ni_rate * max(0.0, pay_gbp - self.employer_ni_threshold_gbp)

    def employer_cost(self, pay_gbp: float, *, pensionable: bool = True) -> float:
        """Basic pay plus employer NI and employer pension (GBP a year)."""
        pension = self.pension_rate * pay_gbp if pensionable else 0.0
        return pay_gbp + self.employer_ni(pay_gbp) + pension


@dataclass(frozen=True)
class AfcBand:
    """One Agenda for Change band: entry and top step point, GBP a year basic pay."""

    band: str
    entry_gbp: float
    top_gbp: float

    def point(self, which: Literal["entry", "midpoint", "top"] = "midpoint") -> float:
        """Basic pay at the entry step, the top step, or the mean of the two (GBP a year)."""
        if which == "entry":
            return self.entry_gbp
        if which == "top":
            return self.top_gbp
        return (self.entry_gbp + self.top_gbp) / 2.0


#: Agenda for Change 2025/26 (England, from 1 April 2025): NHS Employers, "Pay scales for 2025/26".
#: GBP a year, entry and top step point; band 2 has one point. (Bands 5-7 also have an
#: intermediate point, not used here.)
AFC_2025_26: dict[str, AfcBand] = {
    b.band: b
    for b in (
        AfcBand("2", 24_465, 24_465),
        AfcBand("3", 24_937, 26_598),
        AfcBand("4", 27_485, 30_162),
        AfcBand("5", 31_049, 37_796),
        AfcBand("6", 38_682, 46_580),
        AfcBand("7", 47_810, 54_710),
        AfcBand("8a", 55_690, 62_682),
        AfcBand("8b", 64_455, 74_896),
        AfcBand("8c", 76_965, 88_682),
        AfcBand("8d", 91_342, 105_337),
        AfcBand("9", 109_179, 125_637),
    )
}

#: Agenda for Change band of each model role and of the additional roles (planning defaults).
#: Nurse: an experienced general practice nurse, band 6; HCA: band 3; Admin (reception and
#: administration): band 3; the additional roles at the band the Network Contract DES 2025/26
#: reimburses (clinical pharmacist 7-8a, first contact physiotherapist 7-8a, paramedic 7, physician
#: associate 7, pharmacy technician 5, social prescribing link worker and health and wellbeing
#: coach up to 5, care coordinator 4, nursing associate 4, trainee nursing associate 3).
#: Practice staff are not bound to Agenda for Change; it is the usual proxy (PSSRU Unit Costs of
#: Health and Social Care do the same for practice nurses).
ROLE_BANDS: dict[str, str] = {
    "Nurse": "6",
    "HCA": "3",
    "Admin": "3",
    "Pharmacist": "7",
    "Paramedic": "7",
    "PhysicianAssociate": "7",
    "Physiotherapist": "7",
    "PharmacyTechnician": "5",
    "SocialPrescriber": "5",
    "HealthCoach": "5",
    "CareCoordinator": "4",
    "NursingAssociate": "4",
    "TraineeNursingAssociate": "3",
    "Dietitian": "7",
    "Podiatrist": "7",
    "OccupationalTherapist": "7",
    "MentalHealthPractitioner": "6",
    "AdvancedPractitioner": "8a",
    "PracticeManager": "8b",
}

#: The band used for a role not listed in :data:`ROLE_BANDS`, by the model's role kind (planning
#: defaults, Agenda for Change 2025/26 as above: nurse 6, pharmacist 7, other direct patient care
#: 5 -- the band of most reimbursable non-registered roles -- and admin 3).
KIND_BANDS: dict[str, str] = {"nurse": "6", "pharmacist": "7", "other_dpc": "5", "admin": "3"}


@dataclass(frozen=True)
class GpRates:
    """GP pay per head from GP Earnings and Expenses, and how to turn it into pay per FTE.

    Defaults are NHS Digital's England GPMS figures for 2022/23 (the latest shipped edition;
    ``calibration/data/gp-earnings-expenses_2022-23.csv.gz``); :func:`sim.costs.staff.gp_rates_from_earnings`
    reads them from a file instead.
    """

    partner_income_gbp: float = 140_200.0
    """Contractor GPs' average income before tax, GBP per GP a year (England, GPMS, 2022/23).
    It is the partner's profit share and already pays the partner's own pension contributions."""
    salaried_pay_gbp: float = 59_600.0
    """Salaried GPs' average gross employment earnings, GBP per GP a year (England, GPMS,
    2022/23, "Average Emp Gross Earnings": pay from the employing practice, without
    self-employed sessional work)."""
    fte_per_head: float = 0.73
    """FTE per GP headcount to turn pay per head into pay per FTE: 27,966 FTE / 38,124 fully
    qualified GPs, September 2024 (NHS Digital General Practice Workforce; docs/sources.md).
    It is an average over partners and salaried GPs alike; with it the salaried figure is GBP
    81,600 per FTE, close to the middle of the 2022/23 BMA model salaried range."""
    price_year: str = "2022/23"
    """Financial year the figures are from; the cost model uplifts them to :data:`PRICE_YEAR`."""
    source: str = "NHS Digital, GP Earnings and Expenses Estimates 2022/23 (England, GPMS)"

    @property
    def uplift(self) -> float:
        """Factor to :data:`PRICE_YEAR` by the DDRB awards (2022/23 -> 2025/26: 1.06 x 1.06 x 1.04)."""
        return pay_uplift(self.price_year)


@dataclass(frozen=True)
class TraineeRates:
    """GP specialty trainees' basic pay (resident doctors, 2016 contract, England), GBP a year, 2025/26."""

    st1_st2_gbp: float = 52_655.36
    """Nodal point 3 (ST1-ST2), 2025/26 (module docstring: 2024/25 GBP 49,909 x 1.04 + GBP 750)."""
    st3_gbp: float = 65_048.0
    """Nodal point 4 (ST3-ST5), 2025/26 (2024/25 GBP 61,825 x 1.04 + GBP 750)."""
    price_year: str = PRICE_YEAR
    source: str = ("pay scales for resident doctors in England 2025/26, nodal points 3-4 (NHS Employers / BMA; "
                   "HCSA 2025)")

    def basic_pay(self, year: int | None = None) -> float:
        """Basic pay of a trainee in training year ``year`` (1-3); None: the mean over ST1-ST3."""
        if year is None:
            return (2 * self.st1_st2_gbp + self.st3_gbp) / 3.0
        return self.st3_gbp if year >= 3 else self.st1_st2_gbp


@dataclass(frozen=True)
class LocumRate:
    """A sessional GP locum's fee, paid per session worked (no employer on-costs added)."""

    session_gbp: float = 350.0
    """GBP per session (4 h 10 min). Planning default: Menlo Park's 2023 GP survey (reported by
    Pulse and Practice Business, 2023) found locum day rates up 11.9% on 2022's GBP 619, about
    GBP 693 for a day of two sessions. Locum fees vary widely by region: set the local rate."""
    sessions_per_fte_week: float = 9.0
    """Sessions a week of 1.0 FTE: 37.5 h / 4 h 10 min (BMA model salaried GP contract)."""
    weeks_per_year: float = 46.4
    """Weeks a year a post is covered by paid locum sessions: 52 less the 5.6 weeks' statutory
    leave (Working Time Regulations 1998), for cover equivalent to one FTE in post."""
    source: str = "Menlo Park GP survey 2023 (secondary: Practice Business, 2023); planning default"
    price_year: str = "2023/24"
    """Financial year of ``session_gbp`` (the 2023 survey); uplifted to :data:`PRICE_YEAR` by the DDRB GP
    awards (a locum fee is a market rate: the GP pay awards are the proxy)."""

    @property
    def session_price_gbp(self) -> float:
        """GBP a session at :data:`PRICE_YEAR` (GBP 350 x 1.06 x 1.04 = GBP 385.84)."""
        return self.session_gbp * pay_uplift(self.price_year)

    @property
    def annual_per_fte_gbp(self) -> float:
        """GBP a year for sessions equivalent to 1.0 FTE, at :data:`PRICE_YEAR`."""
        return self.session_price_gbp * self.sessions_per_fte_week * self.weeks_per_year


@dataclass(frozen=True)
class Discounting:
    """HM Treasury Green Book discounting (social time preference rate, annex A6)."""

    #: (first year of the step, rate) pairs; year 0 is the present, undiscounted.
    schedule: tuple[tuple[int, float], ...] = field(default=(
        (0, 0.035), (31, 0.030), (76, 0.025), (126, 0.020), (201, 0.015), (301, 0.010)))

    def rate(self, year: int) -> float:
        """The discount rate that applies in ``year`` (0-based)."""
        current = self.schedule[0][1]
        for start, rate in self.schedule:
            if year >= start:
                current = rate
        return current

    def factor(self, year: int) -> float:
        """Discount factor of ``year`` (0-based; year 0 = 1.0), compounding the step rates."""
        value = 1.0
        for t in range(1, int(year) + 1):
            value /= 1.0 + self.rate(t)
        return value


GREEN_BOOK = Discounting()


@dataclass(frozen=True)
class OvertimeRate:
    """What an hour of overtime costs, as a multiple of the basic hourly pay of the role.

    Agenda for Change staff in bands 1-7 are paid time and a half for overtime (NHS Terms and
    Conditions of Service Handbook, section 3, paras 3.1-3.2: "a single harmonised rate of
    time-and-a-half", double time on general public holidays, on basic hourly pay); bands 8-9 are
    not paid overtime (para 3.6) and are costed at plain time as the value of the hours. Overtime
    pay is not pensionable for full-time staff (NHS Pension Scheme 2015 regulations), so only the
    employer's marginal NI is added. GPs: salaried GPs' extra sessions are paid pro rata (BMA
    model salaried GP contract) and partners are not paid for extra hours; both are costed at
    plain time, the value of the GP time.
    """

    afc_multiplier: float = 1.5
    """AfC bands 1-7: time and a half (Handbook section 3.1; public holidays at double time are
    not told apart)."""
    gp_multiplier: float = 1.0
    """GPs: plain time, pro rata to sessions (BMA model salaried contract)."""
    senior_bands: tuple[str, ...] = ("8a", "8b", "8c", "8d", "9")
    """Bands not paid overtime (Handbook section 3.6): plain time."""
    source: str = ("NHS Terms and Conditions of Service Handbook (Agenda for Change), section 3; "
                   "BMA model salaried GP contract")

    def hourly_gbp(self, pay_gbp: float, *, gp: bool, band: str | None, on_costs: OnCosts) -> float:
        """GBP per overtime hour for basic pay ``pay_gbp`` a year (37.5 h weeks), employer NI added."""
        if gp:
            mult = self.gp_multiplier
        else:
            mult = 1.0 if band in self.senior_bands else self.afc_multiplier
        hourly = pay_gbp / (HOURS_PER_FTE_WEEK * DAYS_PER_YEAR / 7.0)
        return hourly * mult * (1.0 + on_costs.employer_ni_rate)
