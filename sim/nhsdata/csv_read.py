"""Opening published CSV files and reading them as strings, indexed by spreadsheet row.

NHS Digital publishes CSVs plain, gzipped or inside zips (with an en dash in member names), in
UTF-8 (sometimes with a byte-order mark) or, in older editions, Windows-1252. :func:`open_source`
hides all of that. Every frame is read as strings first, its index set to the spreadsheet row
number (header = row 1); :mod:`sim.nhsdata.columns` then checks and converts each column.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pandas as pd

from sim.nhsdata.errors import DataFormatError

PathLike = str | Path

#: Bytes read at a time while checking that a file decodes as UTF-8 (1 MiB: a few reads per file).
ENCODING_CHECK_BLOCK_BYTES = 1 << 20

#: Spreadsheet row of a frame's first data row: the header is row 1.
FIRST_DATA_ROW = 2

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
            while block := handle.read(ENCODING_CHECK_BLOCK_BYTES):
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
    """(row, fields found) of the first non-blank row without ``fields`` fields, or None."""
    with source.open_binary() as raw, io.TextIOWrapper(raw, encoding=encoding, newline="") as text:
        reader = csv.reader(text)
        next(reader, None)
        for row_number, row in enumerate(reader, start=2):
            if row and len(row) != fields:
                return row_number, len(row)
    return None


def _raw_header(source: Source, encoding: str) -> list[str]:
    """The header as pandas will see it (names to pass to ``read_csv``), byte-order mark removed."""
    with source.open_binary() as raw, io.TextIOWrapper(raw, encoding=encoding, newline="") as text:
        row = next(csv.reader(text), [])
    # pandas strips the BOM itself under utf-8-sig, but keeps surrounding whitespace
    return [c.replace("\ufeff", "") for c in row]


def _iter_chunks(reader: Iterator[pd.DataFrame], source: Source, handle: IO[bytes], encoding: str,
                 fields: int) -> Iterator[pd.DataFrame]:
    """Yield finished chunks, turning a parse failure into an error naming the row; close at end."""
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
    frame.index = pd.RangeIndex(frame.index.start + FIRST_DATA_ROW, frame.index.stop + FIRST_DATA_ROW)
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
