"""Each practice's share of patients aged 65 and over, and the age mix it tilts (OHID Fingertips 93468).

Source: OHID Fingertips, indicator 93468 "% of patients aged 65+" (area type GP practice, 2023),
shipped as ``calibration/data/practice-share-65plus-imd-rurality.csv.gz`` with each practice's IMD
score and rurality (columns ``Practice.Code``, ``prop65`` in percent, ``IMD``,
``Practice.Rurality``; 4,578 practices, about 70% of England's: calibration/data/README.md).

The quinary-age files give a practice's whole age mix and are not shipped; this file gives one
figure. :func:`tilt_age_mix` moves the default mix (``demand.default_age_mix``, England 2024) to
that figure, and :func:`tilt_area` does it for every practice of a built area that has no age mix
from a quinary or single-year file. A practice missing from the file takes its sub-ICB's share
(weighted by list size over the sub-ICB's practices in the file), else keeps the default mix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.config.demand import Demand
from sim.config.scenario import AGE_BANDS
from sim.nhsdata.columns import check_unique, to_float
from sim.nhsdata.csv_read import PathLike
from sim.nhsdata.errors import DataFormatError, attach_report
from sim.nhsdata.labels import read_labelled

#: The shipped copy in calibration/data (find it with ``sim.resources.calibration_data_dir``).
SHARE_65PLUS_FILE = "practice-share-65plus-imd-rurality.csv.gz"
INDICATOR = "OHID Fingertips 93468, % of patients aged 65+, 2023"
#: The age bands of patients aged 65 and over; the other bands are under 65.
OLD_BANDS: tuple[str, ...] = ("65-74", "75-84", "85+")
YOUNG_BANDS: tuple[str, ...] = tuple(b for b in AGE_BANDS if b not in OLD_BANDS)

_COLUMNS: dict[str, tuple[str, ...]] = {
    "practice_code": ("Practice.Code", "Practice Code", "AreaCode"),
    "share_pct": ("prop65", "Value"),
    "imd_score": ("IMD",),
    "rurality": ("Practice.Rurality", "Rurality"),
}
_REQUIRED = ("practice_code", "share_pct")


def read_share_65plus(path: PathLike) -> pd.DataFrame:
    """Read the 65+ share file: ``row``, ``practice_code``, ``share_65plus`` (a fraction), ``imd_score``, ``rurality``.

    Raises:
        DataFormatError: naming file, row and column, for a missing column, a blank practice code,
            a repeated practice, or a share that is not a percentage from 0 to 100.
    """
    table = read_labelled(path, None, _COLUMNS, _REQUIRED)
    source, names, raw, report = table.source, table.names, table.raw, table.report
    out = pd.DataFrame(index=raw.index)
    out["row"] = raw.index.astype("int64")
    out["practice_code"] = raw[names["practice_code"]].str.strip().str.upper()
    blank = out["practice_code"].eq("")
    if blank.any():
        raise DataFormatError(source.display, int(blank.idxmax()), names["practice_code"],
                              "a practice code", "")
    pct = to_float(source, raw, names["share_pct"], minimum=0.0)
    over = pct.gt(100.0)
    if over.any():
        row = int(over.idxmax())
        raise DataFormatError(source.display, row, names["share_pct"],
                              "a percentage of patients aged 65+ from 0 to 100", raw.at[row, names["share_pct"]])
    out["share_65plus"] = pct / 100.0
    out["imd_score"] = (to_float(source, raw, names["imd_score"], allow_missing=True, report=report)
                        if "imd_score" in names else float("nan"))
    out["rurality"] = raw[names["rurality"]].str.strip() if "rurality" in names else ""
    check_unique(source, out.rename(columns={"practice_code": names["practice_code"]}),
                 [names["practice_code"]], "each practice once")
    report.rows_used = len(out)
    return attach_report(out.reset_index(drop=True), report)



#: Practice codes a note names before it says how many more there are.
NOTE_CODES = 12


def listed(codes: list[str], limit: int = NOTE_CODES) -> str:
    """``codes`` comma-separated, the first ``limit`` then "and N more" (a London STP has 100+)."""
    if len(codes) <= limit:
        return ", ".join(codes)
    return f"{', '.join(codes[:limit])} and {len(codes) - limit} more"

def tilt_age_mix(base_mix: Mapping[str, float], share_65plus: float) -> dict[str, float]:
    """``base_mix`` with its 65+ bands scaled to ``share_65plus`` and the younger bands to the rest.

    The file gives only the share aged 65 and over, not the shape within it, so each group keeps
    the base (England) mix's proportions: 65-74 : 75-84 : 85+ and 0-4 : ... : 45-64 are England's.

    Raises:
        ValueError: ``share_65plus`` outside [0, 1), or a base mix with no patients in a group.
    """
    share = float(share_65plus)
    if not 0.0 <= share < 1.0:
        raise ValueError(f"share of patients aged 65+ must be in [0, 1), got {share!r}")
    old = sum(float(base_mix[b]) for b in OLD_BANDS)
    young = sum(float(base_mix[b]) for b in YOUNG_BANDS)
    if old <= 0.0 or young <= 0.0:
        raise ValueError("the base age mix needs patients both under and over 65 to tilt")
    return {b: float(base_mix[b]) * (share / old if b in OLD_BANDS else (1.0 - share) / young)
            for b in AGE_BANDS}


def default_age_mix() -> dict[str, float]:
    """The schema's default age mix (``demand.default_age_mix``, England 2024)."""
    return dict(Demand().default_age_mix)


@dataclass
class AreaTilt:
    """What :func:`tilt_area` did: each practice's 65+ share and where it came from."""

    shares: dict[str, float] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def codes(self, kind: str) -> list[str]:
        """The practice codes whose share came from ``kind`` (``own``, ``sub-ICB`` or ``default``)."""
        return [c for c, s in self.sources.items() if s.split(" ")[0] == kind]


def sub_icb_shares(shares: Mapping[str, float], practice_map: pd.DataFrame,
                   list_sizes: Mapping[str, int]) -> dict[str, float]:
    """Each sub-ICB's 65+ share, weighted by list size over its practices that are in the file."""
    rows = practice_map.loc[practice_map["practice_code"].isin(shares)
                            & practice_map["practice_code"].isin(list_sizes),
                            ["practice_code", "sub_icb_code"]].copy()
    rows["list"] = rows["practice_code"].map(list_sizes).astype(float)
    rows["old"] = rows["practice_code"].map(shares) * rows["list"]
    sums = rows.groupby("sub_icb_code")[["old", "list"]].sum()
    sums = sums.loc[sums["list"] > 0]
    return (sums["old"] / sums["list"]).to_dict()


def tilt_area(pcns: list[dict[str, Any]], share_file: PathLike, practice_map: pd.DataFrame,
              list_sizes: Mapping[str, int], sources: list[str], notes: list[str]) -> AreaTilt:
    """Give each practice of ``pcns`` without an ``age_mix`` the default mix tilted to its 65+ share.

    A practice missing from the file takes its sub-ICB's list-weighted share (over the practices
    of ``practice_map`` in the file), else keeps the default mix. Practices with an age mix (from
    quinary or single-year files) are left as they are. Appends the source and the counts.
    """
    table = read_share_65plus(share_file)
    shares = dict(zip(table["practice_code"], table["share_65plus"], strict=True))
    by_sub_icb = sub_icb_shares(shares, practice_map, list_sizes)
    sub_icb_of = dict(zip(practice_map["practice_code"], practice_map["sub_icb_code"], strict=False))
    base = default_age_mix()
    tilt = AreaTilt()
    for pcn in pcns:
        for practice in pcn["practices"]:
            code = practice["code"]
            if practice.get("age_mix") is not None:
                continue
            sub_icb = sub_icb_of.get(code)
            if code in shares:
                share, source = shares[code], "own"
            elif sub_icb in by_sub_icb:
                share, source = by_sub_icb[sub_icb], f"sub-ICB {sub_icb}"
            else:
                tilt.sources[code] = "default"
                continue
            practice["age_mix"] = {b: round(v, 6) for b, v in tilt_age_mix(base, share).items()}
            tilt.shares[code], tilt.sources[code] = float(share), source
    sources.append(f"share of patients aged 65+ by practice {Path(share_file).name} ({INDICATOR})")
    own, sub, default = tilt.codes("own"), tilt.codes("sub-ICB"), tilt.codes("default")
    notes.append(
        f"age mix tilted to the practice's own 65+ share for {len(own)} practice(s), to its "
        f"sub-ICB's list-weighted share for {len(sub)} not in the file"
        + (f" ({listed(sub)})" if sub else "")
        + f", England default kept for {len(default)}" + (f" ({listed(default)})" if default else "")
        + "; within 0-64 and within 65+ the bands keep England's proportions")
    return tilt
