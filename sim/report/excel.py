"""The report's workbook: every table of the report, one sheet each (report.xlsx)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from openpyxl.styles import Alignment, Font

from sim.report.data import ReportData
from sim.report.frames import (
    continuity_frame,
    fte_series,
    headline_frame,
    strain_frame,
    unmet_series,
    wait_frame,
)


def report_sheets(data: ReportData, assumptions: pd.DataFrame, interventions: pd.DataFrame,
                  manifest: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Sheet name -> table, in the workbook's order."""
    scenarios = pd.DataFrame([{"Scenario": s.label, "Name": s.name, "Description": s.description,
                               "Interventions": "; ".join(s.interventions), "File": s.file, "sha256": s.sha256,
                               "Patients": s.list_size, "Horizon (days)": s.horizon_days,
                               "Start date": s.start_date} for s in data.scenarios])
    return {
        "Scenarios": scenarios,
        "Headline outcomes": headline_frame(data),
        "Days to appointment": wait_frame(data).rename(columns={"pct": "% of appointments"}),
        "Unmet demand over time": unmet_series(data).rename(
            columns={"mean": "lost per 1,000 patients a year (mean)"}),
        "FTE by role over time": fte_series(data),
        "Continuity": continuity_frame(data).rename(columns={"mean": "UPC (mean)"}),
        "Where the strain falls": strain_frame(data),
        "Assumptions": assumptions,
        "Interventions": interventions,
        "All outcomes": data.comparison,
        "Manifest": manifest,
    }


def write_excel(sheets: dict[str, pd.DataFrame], path: Any) -> None:
    """One sheet per table, bold frozen header, sensible column widths."""
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        for name, df in sheets.items():
            sheet = name[:31]
            out = df.copy()
            for c in out.columns:
                if pd.api.types.is_datetime64_any_dtype(out[c]):
                    out[c] = out[c].dt.date
            out.to_excel(xl, sheet_name=sheet, index=False)
            ws = xl.sheets[sheet]
            ws.freeze_panes = "A2"
            for cell in ws[1]:
                cell.font = Font(bold=True)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            for k, col in enumerate(out.columns, start=1):
                width = max([len(str(col))] + [len(str(v)) for v in out[col].head(200)]) + 2
                ws.column_dimensions[ws.cell(row=1, column=k).column_letter].width = min(max(width, 8), 60)
