"""A representative, deterministic sample of an STP's practices to simulate.

A London STP has 1.5-2.5 million registered patients: far too many to simulate for every trial of a
fit. The targets are rates per 1,000 patients and shares, so a sample of practices serves:
:func:`stratified_sample` sorts the STP's practices by list size, cuts them into ``n`` strata of
(nearly) equal numbers of practices and takes from each the practice at the stratum's median
(ties by practice code). The same files and ``n`` always give the same sample. Practices with
fewer than ``min_list`` patients (closing or newly opened lists) are not sampled.

:func:`simulation_mapping` builds the sample as a scenario area with
:func:`sim.nhsdata.area.build_area_details` (staff from national ratios unless a workforce file is
given) and puts the input scenario's parameters around it. With a 65+ share file
(:mod:`sim.nhsdata.age65`) each sampled practice carries its own age mix, the England mix tilted
to its share of patients aged 65 and over; without one every practice has the England mix.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.calibrate.observed import Area
from sim.config.loading import scenario_from_mapping
from sim.nhsdata.area import build_area_details
from sim.nhsdata.csv_read import PathLike

#: Scenario keys taken from the input scenario when its area is replaced by a sample.
PARAMETER_KEYS: tuple[str, ...] = ("roles", "demand", "booking", "walk_in", "workforce", "admin")

#: Practices in a calibration sample when none is asked for.
DEFAULT_SAMPLE_PRACTICES = 10

#: Practices with fewer registered patients are not sampled (closing or newly opened lists).
MIN_SAMPLED_LIST = 1000


def stratified_sample(practices: pd.DataFrame, n: int, *, min_list: int = MIN_SAMPLED_LIST
                      ) -> pd.DataFrame:
    """``n`` practices, one per list-size stratum (the stratum's median practice).

    Args:
        practices: ``practice_code`` and ``list_size`` (e.g. :attr:`Area.practices`).
        n: practices wanted (all of them if there are fewer).
        min_list: practices with smaller lists are left out.

    Returns:
        The chosen rows, sorted by list size, with a ``stratum`` column.
    """
    if n < 1:
        raise ValueError("the sample needs at least one practice")
    pool = practices.loc[practices["list_size"] >= min_list].sort_values(
        ["list_size", "practice_code"]).reset_index(drop=True)
    if pool.empty:
        raise ValueError(f"no practice with a list of {min_list} or more to sample")
    n = min(n, len(pool))
    edges = np.linspace(0, len(pool), n + 1)
    picks = []
    for k in range(n):
        lo, hi = round(float(edges[k])), round(float(edges[k + 1]))
        hi = max(hi, lo + 1)
        picks.append((lo + hi - 1) // 2)
    out = pool.iloc[picks].copy()
    out["stratum"] = range(1, n + 1)
    return out.reset_index(drop=True)


def sample_area_mapping(area: Area, n: int, map_file: PathLike, patients_file: PathLike, *,
                        workforce_file: PathLike | None = None, min_list: int = MIN_SAMPLED_LIST,
                        share_65plus_file: PathLike | None = None
                        ) -> tuple[dict[str, Any], pd.DataFrame, list[str]]:
    """The ``area`` mapping of a stratified sample of ``area``'s practices.

    With ``share_65plus_file`` each practice's age mix is tilted to its 65+ share
    (:func:`sim.nhsdata.age65.tilt_area`); the sample's rows then carry ``share_65plus`` and
    ``age_source`` (``own``, ``sub-ICB <code>`` or ``default``).

    Returns:
        (the scenario's ``area`` mapping, the sample's rows, what the builder assumed and noted).
    """
    sample = stratified_sample(area.practices, n, min_list=min_list)
    build = build_area_details(map_file, patients_file, workforce_file=workforce_file,
                               practices=list(sample["practice_code"]),
                               area_name=f"{area.name}: sample of {len(sample)} practices",
                               share_65plus_file=share_65plus_file)
    if share_65plus_file is not None:
        tilted = build.share_65plus
        sample["share_65plus"] = [tilted[c]["share_65plus"] if c in tilted else None
                                  for c in sample["practice_code"]]
        sample["age_source"] = [tilted[c]["source"] if c in tilted else "default"
                                for c in sample["practice_code"]]
    mapping = build.mapping["area"]
    mapping["code"] = f"{area.icb_code}-SAMPLE"
    notes = [*(f"assumed: {a}" for a in build.assumed), *(f"note: {x}" for x in build.notes)]
    return mapping, sample, notes


def _age_of(row: Mapping[str, Any]) -> dict[str, Any]:
    """A sampled practice's 65+ share and its source, for the manifest (empty without a tilt)."""
    if "age_source" not in row:
        return {}
    share = row["share_65plus"]
    return {"share_65plus": None if share is None or pd.isna(share) else round(float(share), 5),
            "age_source": row["age_source"]}


def with_area(base: Mapping[str, Any], area_mapping: Mapping[str, Any], *,
              name: str | None = None) -> dict[str, Any]:
    """``base`` (a scenario mapping) with its area replaced; interventions are dropped.

    Interventions name practices and PCNs of the original area, so they cannot follow it.
    """
    out = {k: copy.deepcopy(v) for k, v in base.items()
           if k in (*PARAMETER_KEYS, "seed", "warm_up_days")}
    out["name"] = name or f"{base.get('name', 'scenario')}-sample"
    out["area"] = copy.deepcopy(dict(area_mapping))
    return out


def simulation_mapping(area: Area, sample_practices: int, full: dict[str, Any],
                       map_file: PathLike, patients_file: PathLike,
                       workforce_file: PathLike | None, share_65plus_file: PathLike | None = None
                       ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The mapping to simulate for ``area`` and a description of the sample.

    With ``sample_practices`` 0 the input scenario's own area is simulated; otherwise a
    stratified sample of that many of ``area``'s practices, with ``full``'s parameters, each
    practice's age mix tilted to its 65+ share when ``share_65plus_file`` is given.
    """
    if sample_practices <= 0:
        mapping = copy.deepcopy(full)
        info = {"kind": "the scenario's own area", "practices": [],
                "patients": scenario_from_mapping(copy.deepcopy(full), "<input>").list_size}
        return mapping, info
    area_map, sample, notes = sample_area_mapping(area, sample_practices, map_file,
                                                  patients_file, workforce_file=workforce_file,
                                                  share_65plus_file=share_65plus_file)
    mapping = with_area(full, area_map, name=f"{full.get('name', 'scenario')}-{area.icb_code}")
    info = {
        "kind": (f"stratified sample of {len(sample)} of the STP's {len(area.practices)} "
                 "practices (one per list-size stratum, the stratum's median practice)"),
        "practices": [{"code": r.practice_code, "name": r.practice_name,
                       "list_size": int(r.list_size), "stratum": int(r.stratum),
                       **_age_of(r._asdict())}
                      for r in sample.itertuples()],
        "patients": int(sample["list_size"].sum()),
        "age_mix": (f"England default (demand.default_age_mix) tilted to each practice's share "
                    f"of patients aged 65+ from {Path(share_65plus_file).name}"
                    if share_65plus_file is not None else
                    "England default (demand.default_age_mix) for every practice (no age tilt)"),
        "builder_notes": notes,
    }
    return mapping, info
