"""A report a planner can put in front of a board: ``build_report(folder) -> report.html`` (and a PDF).

Works on a folder from ``gpsim compare`` (scenarios side by side, paired differences) or from
``gpsim run`` (one scenario, one replication, no differences). Writes, into the folder:

- ``report.html``: one self-contained file (styles and figures inline) that opens offline, rendered
  from the Jinja2 templates in ``sim/report/templates``; it prints to A4 with the executive summary
  alone on page 1 and no table wider than the page;
- ``figures/*.png``: the same figures as PNG files;
- ``report.xlsx``: every table of the report (sim/report/excel.py);
- ``report.pdf`` with ``pdf=True``: the HTML printed by headless Chromium (sim/report/pdf.py).

The report states the answer in plain words, its uncertainty, what the model leaves out, and the
assumptions: every parameter that differs from the defaults and the key defaults with their sources.
"""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass
from pathlib import Path

import jinja2
import matplotlib
import pandas as pd

from sim.report.assumptions import (
    assumptions_frame,
    assumptions_long,
    interventions_frame,
    key_defaults_frame,
)
from sim.report.cost_equity_views import COST_EQUITY_FIGURES, prices_frame, staff_price_note
from sim.report.data import ReportData, ReportError, load
from sim.report.equity import EQUITY_FIGURES, equity_groups
from sim.report.excel import report_sheets, write_excel
from sim.report.figures import DPI, FIGURES, PALETTE, interval_note
from sim.report.frames import (
    destination_groups,
    front_door_groups,
    headline_groups,
    long_wait_frame,
    manifest_frame,
)
from sim.report.pdf import print_pdf
from sim.report.tables import (
    TOP_PRACTICES,
    change_class,
    cost_groups,
    fmt,
    outcome_tables,
    strain_rows,
    strain_sentences,
    strain_summary,
    text_rows,
)
from sim.report.words import summary_sentences, title
from sim.report.workforce_years import workforce_by_year, workforce_year_table
from sim.results.files import atomic_write

SECTIONS = (("summary", "Summary"), ("scenarios", "Scenarios"), ("headline", "Headline outcomes"),
            ("costs", "Costs"), ("equity", "Equity"), ("workforce", "Workforce year by year"), ("figures", "Figures"),
            ("strain", "Where the strain falls"),
            ("limitations", "Limitations"), ("assumptions", "Assumptions"), ("manifest", "Run manifest"))


@dataclass
class FigureOut:
    """A drawn figure: file stem, caption and PNG bytes."""

    stem: str
    caption: str
    png: bytes

    @property
    def b64(self) -> str:
        """The PNG as base64 for a data: URL."""
        return base64.b64encode(self.png).decode("ascii")


def environment() -> jinja2.Environment:
    """The Jinja2 environment over the package's templates (autoescaped: every value is text)."""
    return jinja2.Environment(loader=jinja2.PackageLoader("sim.report", "templates"),
                              autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
                              undefined=jinja2.StrictUndefined, trim_blocks=False, lstrip_blocks=False)


def p90_note(data: ReportData) -> str:
    """Why the 90th-percentile wait hardly moves: waits are whole days (and which scenarios show no spread at all)."""
    text = ("The 90th-percentile wait is counted in whole days (a wait is the number of days from request to "
            "appointment), so it is a whole number of days and moves only when the 90th percentile crosses a day")
    rows = data.comparison[(data.comparison["level"] == "lgpo") & (data.comparison["metric"] == "p90_wait_days")]
    flat = [(r["scenario"], r["mean"]) for _, r in rows.iterrows() if data.n_reps > 1
            and r["mean"] == r["ci_low"] == r["ci_high"]]
    if flat:
        items = [f"{n} ({v:g} days)" for n, v in flat]
        names = items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
        text += (f". In {names} it is the same day in every replication, so its interval has no width: the percentile "
                 "did not cross a day, which does not mean it is known exactly")
    return text + (". The share of appointments more than 14 days after the request, below, shows the changes in "
                   "long waits that the percentile hides.")


def long_wait_rows(data: ReportData) -> list[dict[str, str]]:
    """The 'more than 14 days' table: scenario, % with 95% interval, paired difference with its interval."""
    spec = "{:.1f}"
    out = []
    for _, r in long_wait_frame(data).iterrows():
        ci = f" [{fmt(r['ci_low'], spec)}, {fmt(r['ci_high'], spec)}]" if data.n_reps > 1 else ""
        diff, cls = "", "same"
        if r["scenario"] != data.reference and pd.notna(r["diff"]):
            clear = pd.notna(r["diff_ci_low"]) and (r["diff_ci_low"] > 0 or r["diff_ci_high"] < 0)
            cls = change_class(r["diff"], bool(clear), 1)
            diff = fmt(r["diff"], spec, True) + (f" [{fmt(r['diff_ci_low'], spec, True)}, "
                                                 f"{fmt(r['diff_ci_high'], spec, True)}]" if data.n_reps > 1 else "")
        out.append({"scenario": r["scenario"], "value": fmt(r["mean"], spec) + ci, "diff": diff, "cls": cls})
    return out


def context(data: ReportData) -> str:
    """The summary's first line: the area, its size, the horizon and the replications."""
    s0 = data.scenarios[0]
    text = (f"gpsim simulated {s0.name} ({s0.list_size:,} registered patients) over {s0.horizon_days} days from "
            f"{s0.start_date:%-d %B %Y}")
    if data.kind == "comparison":
        return text + (f": {len(data.scenarios)} scenarios, {data.n_reps} replications each, each compared with "
                       f"{data.reference}." if len(data.scenarios) > 1 else f", {data.n_reps} replications.")
    return text + ", one replication."


def render_html(data: ReportData, figures: list[FigureOut], assumptions: pd.DataFrame,
                interventions: pd.DataFrame, manifest: pd.DataFrame) -> str:
    """The whole report as one HTML document, from the templates."""
    s0 = data.scenarios[0]
    paired = len(data.order) > 1
    costs = cost_groups(data)
    equity = equity_groups(data, report=True)  # by age band, unmet destinations in the Excel sheet only
    meta = (f"{s0.list_size:,} registered patients · {s0.horizon_days} days from {s0.start_date:%-d %B %Y} · "
            + (f"{len(data.scenarios)} scenarios × {data.n_reps} replications" if data.kind == "comparison"
               else "one run, one replication"))
    cards = [{"label": s.label, "colour": PALETTE[k % len(PALETTE)], "reference": k == 0 and paired,
              "facts": f"{s.list_size:,} patients, {s.horizon_days} days from {s.start_date:%-d %b %Y}"
                       + (f", file {s.file}" if s.file else ""),
              "description": s.description, "interventions": s.interventions}
             for k, s in enumerate(data.scenarios)]
    cols, pcns, practices = strain_rows(data)
    along = assumptions_long(assumptions, data.order)
    defaults = key_defaults_frame(data)
    prices = prices_frame(data)
    years = workforce_rows(data)
    toc = [(sid, head) for sid, head in SECTIONS if (sid != "costs" or costs) and (sid != "equity" or equity)
           and (sid != "workforce" or years[1])]
    page = environment().get_template("report.html.j2").render(
        title=title(data), kind=data.kind, folder_name=data.folder.name, meta=meta, toc=toc,
        context=context(data), sentences=summary_sentences(data), strain_words=strain_sentences(data),
        strain_summary=strain_summary(data),
        n_reps=data.n_reps, paired=paired, reference=data.reference, scenario_cards=cards,
        headline=outcome_tables(data, headline_groups(), "headline-table"),
        costs=outcome_tables(data, costs, "costs-table") if costs else [], workforce_cols=years[0],
        workforce_rows=years[1], p90_note=p90_note(data), long_waits=long_wait_rows(data),
        destinations=outcome_tables(data, destination_groups(), "destinations-table"),
        front_door=outcome_tables(data, front_door_groups(), "front-door-table"),
        equity=outcome_tables(data, equity, "equity-table") if equity else [],
        figures=figures, interval_note=interval_note(data), top_n=min(TOP_PRACTICES, len(practices) // max(
            len(data.order), 1)), strain_cols=cols, strain_pcns=pcns, strain_practices=practices,
        n_scen=len(data.order), assumptions_cols=list(along.columns), assumptions_rows=text_rows(along),
        defaults_cols=list(defaults.columns), defaults_rows=text_rows(defaults),
        interventions_cols=list(interventions.columns), interventions_rows=text_rows(interventions),
        prices_cols=list(prices.columns), prices_rows=text_rows(prices), staff_price_note=staff_price_note(),
        manifest_cols=list(manifest.columns), manifest_rows=text_rows(manifest),
        manifest_json=json.dumps({k: v for k, v in data.manifest.items() if k != "resolved_config"}, indent=1,
                                 default=str),
        resolved=[(s.label, json.dumps(s.config, indent=1)) for s in data.scenarios if s.config])
    return page


def workforce_rows(data: ReportData) -> tuple[list[str], list[list[str]]]:
    """Columns and text rows of the workforce-by-year table (whole area, mean over replications)."""
    table = workforce_year_table(workforce_by_year(data.staff_month, data.scenarios[0].start_date), data.order)
    if table.empty:
        return [], []
    fmt = {c: ("{:.1f}" if "FTE" in c else "{:.1f}" if data.n_reps > 1 else "{:.0f}") for c in table.columns[3:]}
    for c, f in fmt.items():
        table[c] = table[c].map(f.format)
    return list(table.columns), text_rows(table)


def _draw(data: ReportData) -> list[FigureOut]:
    out = []
    for stem, func, caption in (*FIGURES, *EQUITY_FIGURES, *COST_EQUITY_FIGURES):
        fig = func(data)
        if fig is None:
            continue
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=DPI, facecolor="white")
        out.append(FigureOut(stem, caption, buf.getvalue()))
    return out


# ----------------------------------------------------------------------------- build


def build_report(folder: str | Path, pdf: bool = False) -> Path:
    """Write report.html, figures/*.png and report.xlsx (and report.pdf) into ``folder``; return report.html's path.

    ``pdf=True`` prints the HTML to A4 with headless Chromium; ReportError where it is not installed.
    """
    matplotlib.use("Agg")
    data = load(folder)
    folder = data.folder
    figures = _draw(data)
    for f in figures:
        atomic_write(folder / "figures" / f"{f.stem}.png", lambda p, png=f.png: p.write_bytes(png))
    assumptions = assumptions_frame(data)
    interventions = interventions_frame(data)
    manifest = manifest_frame(data)
    sheets = report_sheets(data, assumptions, interventions, manifest)
    atomic_write(folder / "report.xlsx", lambda p: write_excel(sheets, p, data))
    text = render_html(data, figures, assumptions, interventions, manifest)
    html_path = atomic_write(folder / "report.html", lambda p: p.write_text(text, encoding="utf-8"))
    if pdf:
        print_pdf(html_path, folder / "report.pdf")
    return html_path


__all__ = ["ReportError", "build_report", "render_html"]
