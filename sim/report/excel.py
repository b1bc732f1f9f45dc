"""The report's workbook (report.xlsx): every table of the report, one Excel table per sheet.

Each sheet is an Excel table (filters on every column, banded rows) with a frozen header row;
numbers carry the outcome registry's format (``{:,.0f}`` becomes ``#,##0``), so a planner sees
113.8, not 113.8000000000001, while the cell keeps the exact value. The Assumptions sheet lists
every non-default parameter and the key defaults with their sources; the Costs and Equity sheets
the whole-area cost and equity outcomes (when the runs have them), and Intervention prices (when an
intervention has a price field) each price an intervention uses, with its source or the statement that none is published; the monthly tables of the
runs are in two sheets (whole area per replication, every unit as the mean of replications); a
bar chart shows the headline, unmet demand by scenario with its 95% interval.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import NumDataSource, NumRef
from openpyxl.chart.error_bar import ErrorBars
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from sim.report.assumptions import key_defaults_frame
from sim.report.cost_equity_views import group_frame, prices_frame
from sim.report.data import ReportData
from sim.report.equity import equity_groups
from sim.report.frames import (
    STRAIN,
    continuity_frame,
    fte_series,
    headline_frame,
    strain_frame,
    unmet_series,
    wait_frame,
)
from sim.report.tables import cost_groups
from sim.report.workforce_years import workforce_by_year
from sim.results.outcomes import find, outcome

DEFAULT_FORMAT = "#,##0.00"  # a number whose unit the registry does not know
MAX_ROWS = 1_000_000  # Excel's limit is 1,048,576 rows a sheet


def excel_format(spec: str) -> str:
    """A Python format spec of the registry ('{:,.1f}') as an Excel number format ('#,##0.0')."""
    m = re.fullmatch(r"\{:(,?)\.(\d+)f\}", spec)
    if not m:
        return DEFAULT_FORMAT
    decimals = int(m.group(2))
    base = "#,##0" if m.group(1) else "0"
    return base + ("." + "0" * decimals if decimals else "")


def metric_format(metric: Any) -> str:
    """The Excel number format of a summary metric (DEFAULT_FORMAT for one not in the registry)."""
    o = find(str(metric))
    return excel_format(o.fmt) if o else DEFAULT_FORMAT


@dataclass
class Sheet:
    """A table for one sheet: its frame, number formats by column, and (for long tables) a metric column.

    Where ``metric_col`` is set, every number in a row takes that row's metric's format; ``formats``
    overrides by column. Columns of neither get DEFAULT_FORMAT when they hold non-integers.
    """

    frame: pd.DataFrame
    formats: dict[str, str] = field(default_factory=dict)
    metric_col: str | None = None


def _strain_formats(df: pd.DataFrame) -> dict[str, str]:
    out = {"Patients": "#,##0"}
    for metric in STRAIN:
        o = outcome(metric)
        for c in df.columns:
            if c.startswith(o.heading + " (") or c.startswith(o.heading + ": difference"):
                out[c] = excel_format(o.fmt)
    return out


def _assumptions(data: ReportData, assumptions: pd.DataFrame) -> pd.DataFrame:
    """Non-default parameters (value per scenario) then the key defaults, with their sources."""
    rows = []
    for _, r in assumptions.iterrows():
        row = {"Kind": "differs from the default", "Parameter (YAML path)": r["Parameter (YAML path)"],
               "Default": r["Default"]}
        row.update({s: r[s] for s in data.order if s in r.index})
        row["Meaning, unit and source"] = r["Meaning, unit and source"]
        rows.append(row)
    for _, r in key_defaults_frame(data).iterrows():
        row = {"Kind": "key default", "Parameter (YAML path)": r["Parameter (YAML path)"], "Default": r["Default"]}
        row.update(dict.fromkeys(data.order, "= default" if r["In this report"] == "as run" else "see above"))
        row["Meaning, unit and source"] = r["Meaning, unit and source"]
        rows.append(row)
    cols = ["Kind", "Parameter (YAML path)", "Default", *data.order, "Meaning, unit and source"]
    return pd.DataFrame(rows, columns=cols)


def monthly_sheets(data: ReportData) -> dict[str, Sheet]:
    """The runs' period tables: whole area per replication (wide), every unit as the mean of replications."""
    s = data.series
    if s.empty:
        return {}
    per = data.period.capitalize()
    s = s.assign(date=pd.to_datetime(s["date"]).dt.date)
    area = s[s["level"] == "lgpo"].pivot_table(index=["scenario", "replication", "date"], columns="metric",
                                                values="value", aggfunc="first").reset_index()
    units = s.pivot_table(index=["scenario", "date", "level", "unit"], columns="metric", values="value",
                          aggfunc="mean").reset_index()
    order = {n: k for k, n in enumerate(data.order)}
    area = area.sort_values(["scenario", "replication", "date"], key=lambda c: c.map(order) if c.name == "scenario"
                            else c).reset_index(drop=True)
    units = units.sort_values(["scenario", "level", "unit", "date"], key=lambda c: c.map(order)
                              if c.name == "scenario" else c).reset_index(drop=True)
    area.columns.name = units.columns.name = None
    label = "Monthly" if data.period == "month" else "Weekly"
    return {f"{label}, whole area": Sheet(area.head(MAX_ROWS), {"replication": "0"}),
            f"{label}, by unit": Sheet(units.head(MAX_ROWS).rename(columns={"date": f"{per} starting"}))}


def report_sheets(data: ReportData, assumptions: pd.DataFrame, interventions: pd.DataFrame,
                  manifest: pd.DataFrame) -> dict[str, Sheet]:
    """Sheet name -> table, in the workbook's order."""
    scenarios = pd.DataFrame([{"Scenario": s.label, "Name": s.name, "Description": s.description,
                               "Interventions": "; ".join(s.interventions), "File": s.file, "sha256": s.sha256,
                               "Patients": s.list_size, "Horizon (days)": s.horizon_days,
                               "Start date": s.start_date} for s in data.scenarios])
    strain = strain_frame(data)
    unmet = excel_format(outcome("unmet_per_1000_year").fmt)
    sheets = {
        "Scenarios": Sheet(scenarios, {"Patients": "#,##0", "Horizon (days)": "0"}),
        "Headline outcomes": Sheet(headline_frame(data), metric_col="Metric"),
        "Days to appointment": Sheet(wait_frame(data).rename(columns={"pct": "% of appointments"}),
                                     dict.fromkeys(["% of appointments", "ci_low", "ci_high", "diff"], "0.0")),
        "Unmet demand over time": Sheet(unmet_series(data).rename(
            columns={"mean": "lost per 1,000 patients a year (mean)"}),
            {"lost per 1,000 patients a year (mean)": unmet, "ci_low": unmet, "ci_high": unmet, "days": "0",
             "n_reps": "0"}),
        "FTE by role over time": Sheet(fte_series(data), {"fte": "0.0", "ci_low": "0.0", "ci_high": "0.0", "day": "0"}),
        "Workforce by year": Sheet(workforce_by_year(data.staff_month, data.scenarios[0].start_date).drop(
            columns="end", errors="ignore"), {"fte": "0.0", "vacancies": "0.0", "joiners": "0.0", "leavers": "0.0",
                                              "year": "0"}),
        "Continuity": Sheet(continuity_frame(data).rename(columns={"mean": "UPC (mean)"}),
                            dict.fromkeys(["UPC (mean)", "ci_low", "ci_high", "diff"], "0.000")),
        "Where the strain falls": Sheet(strain, _strain_formats(strain)),
        **{name: Sheet(frame, metric_col="Metric") for name, frame in (
            ("Costs", group_frame(data, cost_groups(data))), ("Equity", group_frame(data, equity_groups(data))))
           if not frame.empty},
        "Assumptions": Sheet(_assumptions(data, assumptions)),
        "Interventions": Sheet(interventions),
        **({"Intervention prices": Sheet(prices)} if not (prices := prices_frame(data)).empty else {}),
        "All outcomes": Sheet(data.comparison, {"n_reps": "0"}, metric_col="metric"),
        **monthly_sheets(data),
        "Manifest": Sheet(manifest),
    }
    return sheets


def _table_name(sheet: str, used: set[str]) -> str:
    base = "T_" + re.sub(r"\W", "_", sheet)
    name, k = base, 2
    while name in used:
        name, k = f"{base}_{k}", k + 1
    used.add(name)
    return name


def _cell_value(v: Any) -> Any:
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    if hasattr(v, "item") and not isinstance(v, str):  # numpy scalars
        return v.item()
    return v


def write_sheet(ws: Worksheet, name: str, sheet: Sheet, used: set[str]) -> None:
    """One sheet: the header, the rows, number formats, an Excel table with filters, a frozen header."""
    df = sheet.frame
    cols = [str(c) for c in df.columns]
    ws.append(cols)
    for row in df.itertuples(index=False):
        ws.append([_cell_value(v) for v in row])
    numeric = [k for k, c in enumerate(df.columns) if pd.api.types.is_numeric_dtype(df[c])
               and not pd.api.types.is_bool_dtype(df[c])]
    metric_k = cols.index(sheet.metric_col) if sheet.metric_col in cols else None
    for k in numeric:
        col_fmt = sheet.formats.get(cols[k])
        integer = pd.api.types.is_integer_dtype(df.iloc[:, k])
        for r, cell in enumerate(ws.iter_rows(min_row=2, min_col=k + 1, max_col=k + 1), start=0):
            c = cell[0]
            if col_fmt:
                c.number_format = col_fmt
            elif metric_k is not None:
                c.number_format = metric_format(df.iat[r, metric_k])
            elif not integer:
                c.number_format = DEFAULT_FORMAT
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    for k, col in enumerate(df.columns, start=1):
        width = max([len(str(col)) // 2 + 2] + [len(str(v)) for v in df[col].head(200)]) + 2
        ws.column_dimensions[get_column_letter(k)].width = min(max(width, 9), 60)
    if len(df) and len(cols):
        table = Table(displayName=_table_name(name, used), ref=f"A1:{get_column_letter(len(cols))}{len(df) + 1}")
        table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        ws.add_table(table)


def headline_chart(wb: Workbook, data: ReportData, used: set[str]) -> bool:
    """A 'Chart' sheet: unmet demand per scenario (mean) with 95% interval error bars, and its data table."""
    lg = data.comparison[(data.comparison["level"] == "lgpo") & (data.comparison["metric"] == "unmet_per_1000_year")]
    if lg.empty:
        return False
    o = outcome("unmet_per_1000_year")
    lg = lg.set_index("scenario").reindex(data.order)
    df = pd.DataFrame({"Scenario": data.order, "Unmet demand (mean)": lg["mean"].to_numpy(),
                       "95% low": lg["ci_low"].to_numpy(), "95% high": lg["ci_high"].to_numpy()})
    df["minus"] = (df["Unmet demand (mean)"] - df["95% low"]).fillna(0)
    df["plus"] = (df["95% high"] - df["Unmet demand (mean)"]).fillna(0)
    ws = wb.create_sheet("Chart")
    write_sheet(ws, "Chart", Sheet(df, dict.fromkeys(list(df.columns[1:]), excel_format(o.fmt))), used)
    n = len(df)
    chart = BarChart()
    chart.type = "col"
    chart.title = f"{o.label}, whole area" + (f" (mean of {data.n_reps} replications, 95% intervals)"
                                             if data.n_reps > 1 else "")
    chart.y_axis.title = o.unit
    chart.x_axis.title = "Scenario"
    chart.legend = None
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=n + 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=n + 1))
    if data.n_reps > 1:
        plus = NumDataSource(numRef=NumRef(f=f"'Chart'!$F$2:$F${n + 1}"))
        minus = NumDataSource(numRef=NumRef(f=f"'Chart'!$E$2:$E${n + 1}"))
        chart.series[0].errBars = ErrorBars(errDir="y", errBarType="both", errValType="cust", plus=plus, minus=minus)
    chart.height, chart.width = 9, 16
    ws.add_chart(chart, "H2")
    return True


def write_excel(sheets: dict[str, Sheet], path: Any, data: ReportData | None = None) -> None:
    """One sheet per table (an Excel table each, formats by unit, frozen header), then the headline chart."""
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for name, sheet in sheets.items():
        title = name[:31]
        write_sheet(wb.create_sheet(title), title, sheet, used)
    if data is not None and headline_chart(wb, data, used):
        wb.move_sheet("Chart", offset=-(len(wb.sheetnames) - 3))  # after Scenarios and Headline outcomes
    wb.save(path)
