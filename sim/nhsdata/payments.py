"""NHS Payments to General Practice, England (NHS England, annual, one row per practice).

Publication: https://digital.nhs.uk/data-and-information/publications/statistical/nhs-payments-to-general-practice
(``nhspaymentsgp-YY-YY-prac-csv.csv``). Shipped: the 2019-20 and 2022-23 editions, gzipped and
otherwise unmodified, in ``calibration/data``. Read with :func:`read_payments`.

Each row is a practice: its region, CCG or sub-ICB, PCN, code, name, address, open and close dates,
contract type (GMS, PMS, APMS), dispensing status, rurality, the registered and Carr-Hill weighted
patients (last known figure), the average payment per registered and per weighted patient, and
every payment line in GBP for the financial year (Global Sum, MPIG, PMS balance, QOF, enhanced
services, premises, seniority, locum allowances, PCN participation, ... and totals).

Published quirks handled here:

* The 2022-23 file starts with a UTF-8 byte-order mark; 2019-20 does not.
* The 2022-23 header labels are shifted around the geography: the column headed ``CCG Code`` holds
  the sub-ICB code, ``Sub ICB NAME`` the sub-ICB name, ``Code`` the PCN code and ``CCG NAME`` the
  PCN name. The reader recognises that layout by its labels, checks it against the values (PCN
  codes look like ``U12345``) and notes it in the exclusion report.
* Payment labels changed between years ("Total Local Incentive Schemes" / "Local Incentive
  Schemes", "General Practice Forward View" / "General Practice Transformation", "Appraisal Costs "
  / "Appraisal - Appraiser Costs in Respect of Locums"); the common ones get one normalised name.
* ``N/A`` (averages of practices without patients), ``ND`` and blank cells are read as missing and
  counted. Payment lines may be negative (recoveries, and every deduction).
* ``Unknown or no PCN`` in the PCN columns becomes a missing PCN code.

Output columns: ``practice_code``, ``practice_name``, ``region_code``, ``region_name``,
``sub_icb_code``, ``sub_icb_name``, ``pcn_code``, ``pcn_name``, ``postcode``, ``open_date``,
``close_date``, ``contract_type``, ``dispensing``, ``practice_type``, ``rurality``, ``atypical``,
then the numbers in GBP (patients in patients) under the names of :data:`PAYMENT_COLUMNS`, then
every other published payment column as a float under its published label. ``row`` is the
spreadsheet row (header = row 1). Published under the Open Government Licence v3.0.
"""

from __future__ import annotations

import re

import pandas as pd

from sim.nhsdata.columns import check_unique, drop_blank_rows, to_dates, to_float
from sim.nhsdata.csv_read import PathLike, detect_encoding, open_source, read_header, read_strings
from sim.nhsdata.errors import DataFormatError, ExclusionReport, attach_report
from sim.nhsdata.labels import label_key, resolve_columns

#: Values read as missing in the number columns (``N/A`` is the published average for a practice
#: without registered patients).
MISSING_MARKERS: tuple[str, ...] = ("N/A", "ND", "NA", "-")

NO_PCN = "Unknown or no PCN"

#: Descriptive columns: normalised name -> accepted spellings (2019-20 layout).
_DESCRIPTIVE: dict[str, tuple[str, ...]] = {
    "region_code": ("NHS England (Region) code",),
    "region_name": ("NHS England (Region) Name",),
    "sub_icb_code": ("Sub ICB Location Code", "Sub ICB Code", "CCG Code"),
    "sub_icb_name": ("Sub ICB Location Name", "Sub ICB Name", "CCG NAME"),
    "pcn_code": ("PCN Code",),
    "pcn_name": ("PCN Name",),
    "practice_code": ("Practice Code",),
    "practice_name": ("Practice Name",),
    "address": ("Practice Address",),
    "postcode": ("Practice Postcode",),
    "open_date": ("Practice Open Date",),
    "close_date": ("Practice Close Date",),
    "contract_type": ("Contract Type",),
    "dispensing": ("Dispensing Practice",),
    "practice_type": ("Practice Type",),
    "rurality": ("Practice Rurality",),
    "atypical": ("Atypical Characteristics",),
}

#: The 2022-23 layout: the geography labels are shifted by one (see the module docstring).
_SHIFTED_GEOGRAPHY: dict[str, tuple[str, ...]] = {
    "sub_icb_code": ("CCG Code",),
    "sub_icb_name": ("Sub ICB NAME",),
    "pcn_code": ("Code",),
    "pcn_name": ("CCG NAME",),
}

_REQUIRED = ("practice_code", "practice_name", "pcn_code", "sub_icb_code", "contract_type",
             "registered_patients", "weighted_patients", "global_sum", "total_payments")

#: Payment and patient columns with a normalised name: name -> accepted spellings. Units: GBP for
#: the financial year, except the two patient counts (patients, last known figure in the year) and
#: the two averages (GBP per patient).
PAYMENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "registered_patients": ("Number of Registered Patients (Last Known Figure)",),
    "weighted_patients": ("Number of Weighted Patients (Last Known Figure)",),
    "avg_per_registered": ("Average payments per registered patient",),
    "avg_per_weighted": ("Average payments per weighted patient",),
    "global_sum": ("Global Sum",),
    "mpig": ("MPIG Correction factor",),
    "pms_balance": ("Balance of PMS Expenditure",),
    "qof": ("Total QOF Payments",),
    "local_incentive_schemes": ("Total Local Incentive Schemes", "Local Incentive Schemes"),
    "premises": ("Premises Payments",),
    "seniority": ("Seniority",),
    "locum_allowances": ("Total Locum Allowances",),
    "appraisal": ("Appraisal Costs", "Appraisal - Appraiser Costs in Respect of Locums"),
    "pco_admin_other": ("PCO Admin Other",),
    "gp_transformation": ("General Practice Forward View", "General Practice Transformation"),
    "pcn_participation": ("PCN Participation",),
    "prescribing_fees": ("Prescribing Fee Payments",),
    "dispensing_fees": ("Dispensing Fee Payments",),
    "drug_reimbursement": ("Reimbursement of Drugs",),
    "other_payments": ("Other Payments",),
    "total_payments": ("Total NHS Payments to General Practice",),
    "deductions": ("Deductions for Pensions, Levies and Prescription Charge Income",),
    "total_minus_deductions": ("Total NHS Payments to General Practice Minus Deductions",),
}

#: Columns that cannot be negative (patients).
_NON_NEGATIVE = ("registered_patients", "weighted_patients")

#: Core contract income: the lines that pay for the essential services a practice's staff deliver
#: (Global Sum, MPIG, PMS balance) -- the comparator for staff cost (see sim.costs.income).
CORE_CONTRACT = ("global_sum", "mpig", "pms_balance")

_PCN_CODE = re.compile(r"U\d{5}")


def read_payments(path: PathLike, *, member: str | None = None) -> pd.DataFrame:
    """Read an NHS Payments to General Practice practice-level CSV as published.

    Args:
        path: the CSV (plain, ``.csv.gz`` or inside a zip).
        member: for a zip holding several CSVs, the one to read.

    Returns:
        One row per practice (see the module docstring for the columns), with an
        :class:`~sim.nhsdata.errors.ExclusionReport` (``report_of(frame)``).

    Raises:
        DataFormatError: a required column is missing, a practice repeats, a PCN code is not a
            PCN code (which would mean the geography labels are shifted in an unknown way), or a
            number cell is not a number; the message names file, row and column.
    """
    source = open_source(path, member=member)
    encoding = detect_encoding(source)
    header = read_header(source, encoding)
    display = source.display
    report = ExclusionReport(display)
    keys = {label_key(h) for h in header}
    spec = dict(_DESCRIPTIVE)
    if label_key("PCN Code") not in keys and {label_key("Code"), label_key("Sub ICB NAME")} <= keys:
        spec.update(_SHIFTED_GEOGRAPHY)
        report.notes.append("geography labels shifted as published (2022-23 layout): 'CCG Code' "
                            "read as the sub-ICB code, 'Sub ICB NAME' as its name, 'Code' as the "
                            "PCN code and 'CCG NAME' as the PCN name")
    names = resolve_columns(display, header, {**spec, **PAYMENT_COLUMNS}, _REQUIRED)
    raw = read_strings(source, header, encoding)
    assert isinstance(raw, pd.DataFrame)
    report.rows_read = len(raw)
    raw = drop_blank_rows(raw, report)
    if raw.empty:
        raise DataFormatError(display, None, None, "at least one practice row", "no data rows")

    out = pd.DataFrame(index=raw.index)
    out["row"] = raw.index.astype("int64")
    for name in _DESCRIPTIVE:
        if name in names:
            out[name] = raw[names[name]].astype(str).str.strip()
    bad = out["practice_code"].eq("")
    if bad.any():
        row = int(bad.idxmax())
        raise DataFormatError(display, row, names["practice_code"], "a practice code", "")
    check_unique(source, out.rename(columns={"practice_code": names["practice_code"]}),
                 [names["practice_code"]], "each practice once")
    pcn = out["pcn_code"]
    no_pcn = pcn.eq(NO_PCN) | pcn.eq("")
    not_code = ~no_pcn & ~pcn.str.fullmatch(_PCN_CODE.pattern)
    if not_code.any():
        row = int(not_code.idxmax())
        raise DataFormatError(display, row, names["pcn_code"],
                              f"a PCN code such as U12345 or {NO_PCN!r}", pcn.loc[row])
    out["pcn_code"] = pcn.where(~no_pcn, None)
    if "pcn_name" in out:
        out["pcn_name"] = out["pcn_name"].where(~no_pcn, None)
    if int(no_pcn.sum()):
        report.notes.append(f"{int(no_pcn.sum()):,} practices in no PCN ({NO_PCN!r} or blank)")
    for name in ("open_date", "close_date"):
        if name not in out:
            continue
        blank = out[name].eq("")
        if blank.all():
            out[name] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
            continue
        filled = out.loc[~blank, [name]]
        dates = to_dates(source, filled, name, label=names[name],
                         expected="a date such as 01/04/1999 or blank")
        out[name] = dates.reindex(out.index)

    used = set(names.values())
    for name in PAYMENT_COLUMNS:
        if name not in names:
            out[name] = float("nan")
            report.notes.append(f"no column {PAYMENT_COLUMNS[name][0]!r} in this edition")
            continue
        minimum = 0.0 if name in _NON_NEGATIVE else None
        out[name] = to_float(source, raw, names[name], allow_missing=True,
                             markers=MISSING_MARKERS, report=report, minimum=minimum)
    # every other published payment column (after the descriptive ones), under its own label
    first_number = header.index(names["registered_patients"])
    for label in header[first_number:]:
        if label in used:
            continue
        out[label] = to_float(source, raw, label, allow_missing=True, markers=MISSING_MARKERS,
                              report=report, minimum=None)
    report.rows_used = len(out)
    return attach_report(out.reset_index(drop=True), report)


def practice_income(payments: pd.DataFrame, practices: list[str] | None = None) -> pd.DataFrame:
    """Income per practice for a set of practices: totals, core contract and per-patient figures.

    Args:
        payments: from :func:`read_payments`.
        practices: practice codes to keep (default all); codes absent from the file are reported
            as rows of missing values so that the caller sees them.

    Returns:
        One row per practice: ``practice_code``, ``pcn_code``, ``registered_patients``,
        ``weighted_patients``, ``core_contract_gbp`` (Global Sum + MPIG + PMS balance), ``qof_gbp``,
        ``pcn_participation_gbp``, ``locum_allowances_gbp``, ``premises_gbp``,
        ``total_payments_gbp``, ``total_minus_deductions_gbp`` (GBP a year), and
        ``total_per_registered_gbp``, ``total_per_weighted_gbp`` (GBP per patient a year),
        ``need_index`` (weighted / registered patients: the Carr-Hill need adjustment).
    """
    frame = payments
    if practices is not None:
        frame = (frame.set_index("practice_code").reindex(list(practices))
                 .rename_axis("practice_code").reset_index())
    core = frame[list(CORE_CONTRACT)].fillna(0.0).sum(axis=1)
    registered = frame["registered_patients"]
    weighted = frame["weighted_patients"]
    out = pd.DataFrame({
        "practice_code": frame["practice_code"],
        "pcn_code": frame["pcn_code"],
        "registered_patients": registered,
        "weighted_patients": weighted,
        "core_contract_gbp": core.where(frame["total_payments"].notna()),
        "qof_gbp": frame["qof"],
        "pcn_participation_gbp": frame["pcn_participation"],
        "locum_allowances_gbp": frame["locum_allowances"],
        "premises_gbp": frame["premises"],
        "total_payments_gbp": frame["total_payments"],
        "total_minus_deductions_gbp": frame["total_minus_deductions"],
    })
    safe_reg = registered.where(registered > 0)
    safe_w = weighted.where(weighted > 0)
    out["total_per_registered_gbp"] = frame["total_payments"] / safe_reg
    out["total_per_weighted_gbp"] = frame["total_payments"] / safe_w
    out["need_index"] = weighted / safe_reg
    return out.reset_index(drop=True)
