"""Read a YAML text file safely: its encoding detected or reported, duplicate keys rejected.

Everything here raises :class:`YamlReadError` with the line (1-based) where it can, never a
``UnicodeDecodeError`` or a silent "last key wins"; :mod:`sim.config.loading` adds the file name.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

import yaml


class YamlReadError(ValueError):
    """A file that is not readable YAML text: what is wrong, and where (line) if known."""

    def __init__(self, message: str, line: int | None = None):
        self.message = message
        self.line = line
        super().__init__(message)


def decode_text(raw: bytes) -> str:
    """The text of a YAML file: UTF-8 (with or without a byte-order mark), or UTF-16/32 with one.

    Anything else is refused with what it looks like (binary, Latin-1/Windows-1252) and where the first
    byte that is not UTF-8 sits, so the user knows to save the file as UTF-8.
    """
    for bom, enc in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                     (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            try:
                return raw.decode(enc)
            except UnicodeDecodeError as exc:
                raise YamlReadError(f"starts with a {enc.upper()} byte-order mark but is not valid {enc.upper()} "
                                    f"text (byte {exc.start}); save it as UTF-8",
                                    raw[:exc.start].count(b"\n") + 1) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = raw[exc.start]
        if looks_binary(raw):
            raise YamlReadError("is a binary file, not YAML text (a scenario is a text file, saved as UTF-8)"
                                ) from None
        try:
            raw.decode("cp1252")
            guess = "Latin-1/Windows-1252 text"
        except UnicodeDecodeError:
            guess = "text in an unknown encoding"
        raise YamlReadError(f"is not UTF-8: byte 0x{byte:02X} at line {line}, column {column} looks like {guess}; "
                            "save the file as UTF-8 (scenario files must be UTF-8)", line) from None
    if "\x00" in text:
        raise YamlReadError("is a binary file, not YAML text (it holds NUL bytes)",
                            text[:text.index("\x00")].count("\n") + 1)
    return text


def looks_binary(raw: bytes) -> bool:
    """NUL bytes, or many control bytes that no text file holds."""
    head = raw[:4096]
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 13))
    return controls > max(1, len(head) // 100)


SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when present: 5-10 times faster


class _UniqueKeyLoader(SafeLoader):
    """A safe loader that refuses a key given twice in one mapping (YAML would keep the last silently)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        try:
            key = loader.construct_object(key_node, deep=True)
            hash(key)
        except (TypeError, yaml.YAMLError):
            continue  # unhashable keys: the base constructor reports them
        line = key_node.start_mark.line + 1
        if key in seen:
            raise YamlReadError(f"duplicate key '{key}' at line {line} (first given at line {seen[key]}); "
                                "YAML would silently keep only the last one, so remove or rename one of them",
                                line)
        seen[key] = line
    return SafeLoader.construct_mapping(loader, node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_yaml(text: str) -> Any:
    """``yaml.safe_load`` that rejects duplicate keys; errors as :class:`YamlReadError` with the line."""
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass: no arbitrary objects
    except YamlReadError:
        raise
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise YamlReadError(f"not valid YAML: {problem}", line) from None
    except (ValueError, OverflowError, RecursionError) as exc:  # e.g. a timestamp like 2025-02-30
        raise YamlReadError(f"not valid YAML: {exc}") from None


def read_text(path: str | Path) -> str:
    """A YAML file's text (see :func:`decode_text`); OS errors as :class:`YamlReadError`."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise YamlReadError("file not found") from None
    except IsADirectoryError:
        raise YamlReadError("is a folder, not a scenario file") from None
    except OSError as exc:
        raise YamlReadError(f"cannot be read: {exc.strerror or exc}") from None
    return decode_text(raw)
