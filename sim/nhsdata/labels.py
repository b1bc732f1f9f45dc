"""Matching published column labels that change spelling between editions.

NHS publications rename, re-case and re-space their headers from one year to the next ("Practice
Type" and "Practice type", "Appraisal Costs " with a trailing space, a pound sign that some editions
drop). :func:`label_key` reduces a label to lower-case letters and digits so that such variants
compare equal; :func:`resolve_columns` finds, for each wanted name, the first of its accepted
spellings present in a header and raises :class:`~sim.nhsdata.errors.DataFormatError` (row 1, the
header) for a required one that is missing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from sim.nhsdata.columns import drop_blank_rows
from sim.nhsdata.csv_read import (
    PathLike,
    Source,
    detect_encoding,
    open_source,
    read_header,
    read_strings,
)
from sim.nhsdata.errors import DataFormatError, ExclusionReport


def label_key(text: object) -> str:
    """A header label reduced to lower-case letters and digits (no spaces, punctuation or BOM)."""
    return re.sub(r"[^a-z0-9]+", "", str(text or "").replace("\ufeff", "").lower())


def resolve_columns(
    display: str,
    header: Sequence[str],
    spec: Mapping[str, Sequence[str]],
    required: Sequence[str],
) -> dict[str, str]:
    """Map each normalised name in ``spec`` to the header label that spells it.

    Args:
        display: the file, for error messages.
        header: the file's header labels as read (cleaned of BOM and surrounding spaces).
        spec: normalised name -> accepted spellings, tried in order.
        required: the normalised names that must be found.

    Returns:
        normalised name -> the label as it appears in ``header`` (absent optional names left out).
    """
    keys: dict[str, str] = {}
    for label in header:
        keys.setdefault(label_key(label), label)
    found: dict[str, str] = {}
    for name, spellings in spec.items():
        for spelling in spellings:
            if label_key(spelling) in keys:
                found[name] = keys[label_key(spelling)]
                break
        else:
            if name in required:
                raise DataFormatError(display, 1, spellings[0],
                                      f"a column headed {spellings[0]!r}", "no such column")
    return found


@dataclass
class LabelledTable:
    """A published CSV read by label: its source, the label of each named column, the rows as text."""

    source: Source
    encoding: str
    names: dict[str, str]
    raw: pd.DataFrame
    report: ExclusionReport


def read_labelled(path: PathLike, member: str | None, spec: Mapping[str, Sequence[str]],
                  required: Sequence[str]) -> LabelledTable:
    """Open a published CSV, find its columns by label and read them as text, blank rows dropped."""
    source = open_source(path, member=member)
    encoding = detect_encoding(source)
    header = read_header(source, encoding)
    names = resolve_columns(source.display, header, spec, required)
    raw = read_strings(source, header, encoding, columns=list(names.values()))
    report = ExclusionReport(source.display)
    report.rows_read = len(raw)
    return LabelledTable(source, encoding, names, drop_blank_rows(raw, report), report)
