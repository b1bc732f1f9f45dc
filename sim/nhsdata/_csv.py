"""Shared plumbing for the readers: opening published files and checking columns.

NHS Digital publishes CSVs plain, gzipped or inside zips (with an en dash in member names), in
UTF-8 (sometimes with a byte-order mark) or, in older editions, Windows-1252. :func:`open_source`
hides all of that. Every frame is read as strings first, its index set to the spreadsheet row
number (header = row 1), and then each column is checked and converted with the ``to_*`` helpers,
which raise :class:`~sim.nhsdata.errors.DataFormatError` naming the first bad cell.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import gzip
import io
import re
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from sim.nhsdata.errors import DataFormatError, ExclusionReport

PathLike = str | Path

#: Markers NHS Digital uses for values not disclosed, not available or estimated; read as missing.
#: (The list used by published R code that reads the workforce CSVs; formats.md section a.)
NOT_DISCLOSED_MARKERS: tuple[str, ...] = ("ND", "NA", "EST", "NS", ".")


@dataclass(frozen=True)
class Source:
    """A CSV to read: a plain/gzipped file or one member of a zip."""

    path: Path
    member: str | None = None

    @property
    def display(self) -> str:
        """How error messages name the file."""
        return f"{self.path} (member {self.member!r})" if self.member else str(self.path)

    def open_binary(self) -> IO[bytes]:
        """Open the raw bytes (decompressing as needed)."""
        if self.member is not None:
            # the member stays readable after the archive is closed (zipfile counts references)
            with zipfile.ZipFile(self.path) as archive:
                return archive.open(self.member)
        if self.path.suffix.lower() == ".gz":
            return gzip.open(self.path, "rb")
        return open(self.path, "rb")  # returned to the caller, who closes it


def open_source(
    path: PathLike,
    *,
    member: str | None = None,
    prefer: Callable[[str], int] | None = None,
) -> Source:
    """Resolve ``path`` (a .csv, .csv.gz or .zip) into a :class:`Source`.

    Args:
        path: the file as downloaded.
        member: for a zip, the CSV inside to read (exact name, or its base name, any case).
        prefer: for a zip holding several CSVs, scores each member name; the single best is read.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        DataFormatError: a zip without a (unique) CSV to read.
    """
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{p}: file not found")
    if p.is_dir():
        raise DataFormatError(p, None, None, "a file, not a folder")
    if not zipfile.is_zipfile(p):
        return Source(p)
    with zipfile.ZipFile(p) as archive:
        names = [
            n
            for n in archive.namelist()
            if n.lower().endswith(".csv") and not n.endswith("/") and "__macosx" not in n.lower()
        ]
    if member is not None:
        wanted = member.lower()
        hits = [n for n in names if n.lower() == wanted or Path(n).name.lower() == wanted]
        if len(hits) != 1:
            raise DataFormatError(p, None, None, f"a CSV member named {member!r}", names)
        return Source(p, hits[0])
    if not names:
        raise DataFormatError(p, None, None, "a zip holding a CSV file", "no .csv members")
    if len(names) == 1:
        return Source(p, names[0])
    if prefer is not None:
        scored = sorted(((prefer(n), n) for n in names), reverse=True)
        if scored[0][0] > 0 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
            return Source(p, scored[0][1])
    raise DataFormatError(
        p, None, None, "one CSV to read; name it with member= (--member)", sorted(names)
    )


def detect_encoding(source: Source) -> str:
    """``"utf-8-sig"`` when the whole file decodes as UTF-8, else ``"cp1252"`` (older editions)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with source.open_binary() as handle:
        try:
            while block := handle.read(1 << 20):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig"


def clean_header(name: str) -> str:
    """A header cell without byte-order mark or surrounding whitespace."""
    return name.replace("\ufeff", "").strip()


def read_header(source: Source, encoding: str) -> list[str]:
    """The header row, cleaned; a :class:`DataFormatError` when there is none or names repeat."""
    with source.open_binary() as raw, io.TextIOWrapper(raw, encoding=encoding, newline="") as text:
        row = next(csv.reader(text), None)
    if not row or not any(cell.strip() for cell in row):
        raise DataFormatError(source.display, 1, None, "a header row of column names", "")
    header = [clean_header(c) for c in row]
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise DataFormatError(source.display, 1, name, "each column name once", "a repeat")
        seen.add(name)
    return header


def require_columns(
    source: Source, header: Sequence[str], required: Iterable[str], what: str = ""
) -> None:
    """Raise naming the first required column absent from ``header``."""
    present = set(header)
    for name in required:
        if name not in present:
            hint = f" ({what})" if what else ""
            raise DataFormatError(
                source.display, 1, name, f"a column named {name!r}{hint}", "no such column"
            )


def read_strings(
    source: Source,
    header: Sequence[str],
    encoding: str,
    *,
    columns: Iterable[str] | None = None,
    chunksize: int | None = None,
) -> pd.DataFrame | Iterator[pd.DataFrame]:
    """Read ``source`` as strings, index = spreadsheet row (header = 1), columns cleaned.

    Args:
        source: what to read.
        header: the cleaned header (from :func:`read_header`).
        encoding: from :func:`detect_encoding`.
        columns: the cleaned names to keep (default all).
        chunksize: read in chunks of this many rows (an iterator of frames).
    """
    raw_names = _raw_header(source, encoding)
    keep = None
    if columns is not None:
        wanted = set(columns)
        if not set(header) <= wanted:
            keep = [raw for raw, clean in zip(raw_names, header, strict=True) if clean in wanted]
    if keep is not None:
        # pandas ignores surplus fields outside usecols, so count the fields of every row first
        check_field_counts(source, encoding, len(raw_names))
    handle = source.open_binary()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            reader = pd.read_csv(
                handle,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                skip_blank_lines=False,
                encoding=encoding,
                header=0,
                names=raw_names if keep is None else None,
                index_col=False,
                usecols=keep,
                chunksize=chunksize,
                low_memory=False,
            )
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        handle.close()
        raise _parser_error(source, encoding, len(raw_names), exc) from None
    except Exception:
        handle.close()
        raise
    if chunksize is None:
        handle.close()
        return _finish(reader)
    return _iter_chunks(reader, source, handle, encoding, len(raw_names))


def check_field_counts(source: Source, encoding: str, fields: int) -> None:
    """Raise naming the first row (blank rows aside) without exactly ``fields`` fields."""
    found = _first_bad_field_count(source, encoding, fields)
    if found is not None:
        row, saw = found
        raise DataFormatError(source.display, row, None,
                              f"{fields} comma-separated fields, as in the header", f"{saw} fields")


def _first_bad_field_count(source: Source, encoding: str, fields: int) -> tuple[int, int] | None:
    with source.open_binary() as raw, io.TextIOWrapper(raw, encoding=encoding, newline="") as text:
        reader = csv.reader(text)
        next(reader, None)
        for row_number, row in enumerate(reader, start=2):
            if row and len(row) != fields:
                return row_number, len(row)
    return None


def _raw_header(source: Source, encoding: str) -> list[str]:
    with source.open_binary() as raw, io.TextIOWrapper(raw, encoding=encoding, newline="") as text:
        row = next(csv.reader(text), [])
    # pandas strips the BOM itself under utf-8-sig, but keeps surrounding whitespace
    return [c.replace("\ufeff", "") for c in row]


def _iter_chunks(reader, source: Source, handle: IO[bytes], encoding: str,  # type: ignore[no-untyped-def]
                 fields: int) -> Iterator[pd.DataFrame]:
    try:
        while True:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("error", pd.errors.ParserWarning)
                    chunk = next(reader)
            except StopIteration:
                return
            except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
                raise _parser_error(source, encoding, fields, exc) from None
            yield _finish(chunk)
    finally:
        handle.close()


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    """Clean the column names and index the rows by spreadsheet row (header = row 1)."""
    frame.columns = [clean_header(str(c)) for c in frame.columns]
    frame.index = pd.RangeIndex(frame.index.start + 2, frame.index.stop + 2)
    return frame


def _parser_error(source: Source, encoding: str, fields: int, exc: Exception) -> DataFormatError:
    """Turn a pandas parse failure into an error naming the row (found by counting fields)."""
    found = _first_bad_field_count(source, encoding, fields)
    if found is not None:
        row, saw = found
        return DataFormatError(source.display, row, None,
                               f"{fields} comma-separated fields, as in the header", f"{saw} fields")
    return DataFormatError(source.display, None, None, "a well-formed CSV file", str(exc))


def read_table(
    path: PathLike,
    *,
    required: Iterable[str],
    optional: Iterable[str] = (),
    member: str | None = None,
    prefer: Callable[[str], int] | None = None,
    rename: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, Source, list[str]]:
    """Open, check the required columns of and read a whole CSV as strings.

    Returns:
        The frame (only required and optional columns present, renamed by ``rename``), the source
        and the file's full cleaned header.
    """
    source = open_source(path, member=member, prefer=prefer)
    encoding = detect_encoding(source)
    header = read_header(source, encoding)
    required = list(required)
    require_columns(source, header, required)
    wanted = [*required, *[c for c in optional if c in header and c not in required]]
    frame = read_strings(source, header, encoding, columns=wanted)
    assert isinstance(frame, pd.DataFrame)
    if rename:
        frame = frame.rename(columns=dict(rename))
    return frame, source, header


# ------------------------------------------------------------------------------------------------
# Row and cell checks. Frames are indexed by spreadsheet row, so the first bad index is the row.
# ------------------------------------------------------------------------------------------------


def drop_blank_rows(frame: pd.DataFrame, report: ExclusionReport) -> pd.DataFrame:
    """Remove rows whose every cell is empty, counting them in ``report``."""
    if frame.empty:
        return frame
    blank = (frame == "").all(axis=1)
    if blank.any():
        report.exclude("blank row", int(blank.sum()))
        frame = frame.loc[~blank]
    return frame


def _first_bad(source: Source, frame: pd.DataFrame, mask: pd.Series, column: str, expected: str):  # type: ignore[no-untyped-def]
    row = mask.idxmax()
    raise DataFormatError(source.display, int(row), column, expected, frame.at[row, column])


def to_int(
    source: Source,
    frame: pd.DataFrame,
    column: str,
    *,
    label: str | None = None,
    allow_missing: bool = False,
    markers: Sequence[str] = (),
    report: ExclusionReport | None = None,
) -> pd.Series:
    """Check and convert a column of whole numbers (0 or more).

    Args:
        source: for error messages.
        frame: strings indexed by spreadsheet row.
        column: name of the column in ``frame`` (and in the published file).
        label: the column's published name if ``frame`` renamed it.
        allow_missing: empty cells and ``markers`` become missing (counted in ``report``).
        markers: not-disclosed markers read as missing when ``allow_missing``.
        report: where to count the missing cells.

    Returns:
        ``int64`` when nothing is missing, else nullable ``Int64``.
    """
    text = frame[column].astype(str).str.strip()
    missing = _missing_mask(text, column if label is None else label, allow_missing, markers, report)
    ok = text.str.fullmatch(r"\+?\d+(\.0*)?") | missing
    if not ok.all():
        _first_bad(source, frame.rename(columns={column: label or column}), ~ok, label or column,
                   "a whole number, 0 or more" + (" (or a not-disclosed marker)" if allow_missing else ""))
    values = pd.to_numeric(text.where(~missing, None), errors="coerce")
    if missing.any():
        return values.round().astype("Int64")
    return values.round().astype("int64")


def to_float(
    source: Source,
    frame: pd.DataFrame,
    column: str,
    *,
    label: str | None = None,
    allow_missing: bool = False,
    markers: Sequence[str] = (),
    report: ExclusionReport | None = None,
    minimum: float | None = 0.0,
) -> pd.Series:
    """Check and convert a column of decimal numbers (0 or more unless ``minimum`` is None)."""
    name = label or column
    text = frame[column].astype(str).str.strip()
    missing = _missing_mask(text, name, allow_missing, markers, report)
    values = pd.to_numeric(text.where(~missing, None), errors="coerce").astype("float64")
    bad = (values.isna() | values.abs().eq(float("inf"))) & ~missing
    if minimum is not None:
        bad |= values.lt(minimum) & ~missing
    if bad.any():
        what = "a number" + (f" of at least {minimum:g}" if minimum is not None else "")
        if allow_missing:
            what += " (or a not-disclosed marker)"
        _first_bad(source, frame.rename(columns={column: name}), bad, name, what)
    return values


def to_float_block(
    source: Source,
    frame: pd.DataFrame,
    columns: Sequence[str],
    *,
    markers: Sequence[str] = (),
) -> pd.DataFrame:
    """:func:`to_float` (``allow_missing=True``, minimum 0) for many columns at once.

    Fast path for wide files: converts the whole block with numpy and only on a failure goes
    column by column to name the first bad cell.
    """
    if not columns:
        return pd.DataFrame(index=frame.index)
    text = np.char.strip(frame[list(columns)].to_numpy(dtype=str))
    missing = np.isin(text, [*markers, ""])
    try:
        numbers = np.where(missing, "nan", text).astype("float64")
        ok = not (np.isinf(numbers).any() or (numbers < 0).any())
    except ValueError:
        ok = False
    if not ok:
        for column in columns:
            to_float(source, frame, column, allow_missing=True, markers=markers)
        raise AssertionError("unreachable: a bad cell was not found")  # pragma: no cover
    return pd.DataFrame(numbers, index=frame.index, columns=list(columns))


def _missing_mask(
    text: pd.Series,
    name: str,
    allow_missing: bool,
    markers: Sequence[str],
    report: ExclusionReport | None,
) -> pd.Series:
    if not allow_missing:
        return pd.Series(False, index=text.index)
    missing = text.eq("")
    if report is not None and missing.any():
        report.add_missing(name, "(blank)", int(missing.sum()))
    for marker in markers:
        hit = text.eq(marker)
        if hit.any():
            missing |= hit
            if report is not None:
                report.add_missing(name, marker, int(hit.sum()))
    return missing


def count_markers(
    frame: pd.DataFrame, columns: Iterable[str], markers: Sequence[str], report: ExclusionReport
) -> None:
    """Count, per column, the blank and not-disclosed cells of ``frame`` into ``report``."""
    columns = list(columns)
    if not columns or frame.empty:
        return
    text = np.char.strip(frame[columns].to_numpy(dtype=str))
    for marker in ("", *markers):
        counts = (text == marker).sum(axis=0)
        for column, count in zip(columns, counts, strict=True):
            report.add_missing(column, marker or "(blank)", int(count))


def check_categories(
    source: Source,
    frame: pd.DataFrame,
    column: str,
    allowed: Iterable[str],
    *,
    label: str | None = None,
) -> None:
    """Raise naming the first cell of ``column`` whose value is not exactly one of ``allowed``."""
    allowed = list(dict.fromkeys(allowed))
    bad = ~frame[column].isin(allowed)
    if bad.any():
        shown = ", ".join(repr(a) for a in allowed)
        _first_bad(source, frame.rename(columns={column: label or column}), bad, label or column,
                   f"one of {shown}")


def check_not_empty(source: Source, frame: pd.DataFrame, column: str, what: str) -> None:
    """Raise naming the first empty cell of ``column``."""
    bad = frame[column].astype(str).str.strip().eq("")
    if bad.any():
        _first_bad(source, frame, bad, column, what)


def check_unique(source: Source, frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    """Raise naming the first row repeating an earlier row's values of ``columns``."""
    dup = frame.duplicated(subset=list(columns), keep="first")
    if dup.any():
        _first_bad(source, frame, dup, columns[-1], what)


_MONTHS = {m: i for i, m in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), start=1)}


def parse_date_text(value: str) -> dt.date | None:
    """Parse a date as NHS Digital spells it; ``None`` when it is not one.

    Accepted: ``2026-03-01``, ``01JAN2021``, ``01Jan2022``, ``20191001``, ``01/03/2026``.
    """
    v = value.strip()
    m = re.fullmatch(r"(\d{1,2})([A-Za-z]{3})(\d{4})", v)
    if m and m.group(2).upper() in _MONTHS:
        try:
            return dt.date(int(m.group(3)), _MONTHS[m.group(2).upper()], int(m.group(1)))
        except ValueError:
            return None
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%d-%b-%Y", "%d-%b-%y"):
        try:
            return dt.datetime.strptime(v, fmt).date()
        except ValueError:
            continue
    return None


def parse_month_text(value: str) -> dt.date | None:
    """Parse ``MAR2019`` (or ``Mar-19``, ``2019-03``, ``01MAR2019``) to the first of the month."""
    v = value.strip()
    m = re.fullmatch(r"([A-Za-z]{3})[ -]?(\d{4}|\d{2})", v)
    if m and m.group(1).upper() in _MONTHS:
        year = int(m.group(2))
        year = year + 2000 if year < 100 else year
        return dt.date(year, _MONTHS[m.group(1).upper()], 1)
    m = re.fullmatch(r"(\d{4})-(\d{2})", v)
    if m and 1 <= int(m.group(2)) <= 12:
        return dt.date(int(m.group(1)), int(m.group(2)), 1)
    day = parse_date_text(v)
    return None if day is None else day.replace(day=1)


def to_dates(
    source: Source,
    frame: pd.DataFrame,
    column: str,
    *,
    parser: Callable[[str], dt.date | None] = parse_date_text,
    expected: str = "a date such as 2026-03-01 or 01JAN2021",
    label: str | None = None,
) -> pd.Series:
    """Check and convert a column of dates (each distinct spelling parsed once)."""
    uniques = frame[column].unique()
    parsed = {u: parser(str(u)) for u in uniques}
    bad_values = {u for u, d in parsed.items() if d is None}
    if bad_values:
        bad = frame[column].isin(bad_values)
        _first_bad(source, frame.rename(columns={column: label or column}), bad, label or column,
                   expected)
    mapping = {u: pd.Timestamp(d) for u, d in parsed.items()}
    return frame[column].map(mapping).astype("datetime64[ns]")


