"""Errors and exclusion reports shared by the NHS Digital readers.

Every reader checks the file it is given against the published schema and raises
:class:`DataFormatError` on the first problem. The message names the file, the row as a user would
see it in a spreadsheet (the header is row 1, the first data row is row 2), the column and what was
expected, so the user can open the file and find the cell.

Rows a reader deliberately leaves out (aggregate rows, blank rows, workforce rows that were not
"Fully provided", ...) are never dropped silently: they are counted, by reason, in an
:class:`ExclusionReport` attached to the returned frame (``report_of(frame)``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

REPORT_ATTR = "exclusion_report"
_NOTHING = object()


class DataFormatError(ValueError):
    """A published file that does not match its schema, with where and what was expected.

    Attributes:
        file: the file (for a zip, ``archive.zip`` plus the member read).
        row: 1-based spreadsheet row (header = row 1), or ``None`` when the whole file is at fault.
        column: the column (or sheet column heading) at fault, or ``None``.
        expected: what the reader expected to find.
        got: the value found, when there is one.
    """

    def __init__(
        self,
        file: str | Path,
        row: int | None,
        column: str | None,
        expected: str,
        got: Any = _NOTHING,
    ) -> None:
        self.file = str(file)
        self.row = row
        self.column = column
        self.expected = expected
        self.got = None if got is _NOTHING else got
        where = [self.file]
        if row is not None:
            where.append(f"row {row}" + (" (the header)" if row == 1 else ""))
        if column is not None:
            where.append(f"column {column}")
        message = ", ".join(where) + f": expected {expected}"
        if got is not _NOTHING:
            message += f", got {got!r}"
        super().__init__(message)


@dataclass
class ExclusionReport:
    """What a reader read, used and left out (and why), and which cells it turned into missing.

    Attributes:
        source: the file read.
        rows_read: data rows in the file (header not counted).
        rows_used: rows in the returned frame (or, for long files, rows that contributed to it).
        excluded: rows left out, counted by reason; ``rows_read == rows_used + rows_excluded``.
        missing_values: cells turned into missing values (not-disclosed markers), by column.
        markers: the same cells counted by the marker found (``"ND"``, ``"NA"``, ...).
        notes: anything else the user should know (columns absent in this edition, ...).
    """

    source: str
    rows_read: int = 0
    rows_used: int = 0
    excluded: dict[str, int] = field(default_factory=dict)
    missing_values: dict[str, int] = field(default_factory=dict)
    markers: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def exclude(self, reason: str, count: int = 1) -> None:
        """Count ``count`` rows left out for ``reason`` (zero counts are ignored)."""
        if count:
            self.excluded[reason] = self.excluded.get(reason, 0) + int(count)

    def add_missing(self, column: str, marker: str, count: int) -> None:
        """Count ``count`` cells of ``column`` that held ``marker`` and are now missing."""
        if count:
            self.missing_values[column] = self.missing_values.get(column, 0) + int(count)
            self.markers[marker] = self.markers.get(marker, 0) + int(count)

    @property
    def rows_excluded(self) -> int:
        """Total rows left out, over every reason."""
        return sum(self.excluded.values())

    @property
    def missing_total(self) -> int:
        """Total cells turned into missing values."""
        return sum(self.missing_values.values())

    def summary(self) -> str:
        """A short human-readable account, one fact per line."""
        lines = [f"{self.source}: {self.rows_read:,} rows read, {self.rows_used:,} used"]
        for reason, count in sorted(self.excluded.items(), key=lambda kv: -kv[1]):
            lines.append(f"  excluded {count:,}: {reason}")
        if self.missing_values:
            markers = ", ".join(f"{m!r} x{n:,}" for m, n in sorted(self.markers.items()))
            lines.append(
                f"  {self.missing_total:,} cells not disclosed -> missing "
                f"in {len(self.missing_values)} columns ({markers})"
            )
        lines.extend(f"  note: {note}" for note in self.notes)
        return "\n".join(lines)


def attach_report(frame: pd.DataFrame, report: ExclusionReport) -> pd.DataFrame:
    """Attach ``report`` to ``frame`` (in ``frame.attrs``) and return the frame."""
    frame.attrs[REPORT_ATTR] = report
    return frame


def report_of(frame: pd.DataFrame) -> ExclusionReport:
    """The :class:`ExclusionReport` a reader attached to ``frame``.

    Raises:
        KeyError: the frame did not come from an ``sim.nhsdata`` reader (or lost its attrs).
    """
    try:
        return frame.attrs[REPORT_ATTR]
    except KeyError:
        raise KeyError("this frame carries no exclusion report (not read by sim.nhsdata?)") from None
