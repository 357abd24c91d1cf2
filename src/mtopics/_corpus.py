"""Reading documents: a folder of ``.txt`` files, a text file with one document
per line, JSON lines and CSV.

Documents are streamed: :func:`iter_documents` yields one :class:`Document` at a
time and never holds the whole corpus in memory.  Problems that lose no text
(undecodable bytes) are repaired and reported; empty and binary files are
skipped, counted and reported; a malformed record (bad JSON, no ``text`` field)
is an error that names the file and the line, unless ``errors="skip"``.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .exceptions import CorpusError

__all__ = ["FORMATS", "Document", "LoadReport", "iter_documents", "load_documents"]

logger = logging.getLogger("mtopics")

#: Formats understood by :func:`iter_documents`.
FORMATS = ("auto", "folder", "text", "lines", "jsonl", "csv")
Format = Literal["auto", "folder", "text", "lines", "jsonl", "csv"]

_KNOWN_FIELDS = ("id", "text", "title", "date", "source", "label")
_BINARY_PROBE = 8192
_REPLACEMENT = "\ufffd"


@dataclass(frozen=True)
class Document:
    """One article (or one record) of a corpus.

    Parameters
    ----------
    id : str
        Unique id: the file name for a folder, ``<file>:<line>`` for a line of a
        text file, the ``id`` field (or ``<file>:<line>``) for JSONL and CSV.
    text : str
        The raw text, decoded as UTF-8.
    title, date, source, label : str or None
        Optional fields of JSONL and CSV records.
    metadata : dict
        Every other field of a JSONL or CSV record, kept as given.
    origin : str
        Where the document came from (``path`` or ``path:line``), for messages.
    """

    id: str
    text: str
    title: str | None = None
    date: str | None = None
    source: str | None = None
    label: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    origin: str = ""


@dataclass
class LoadReport:
    """What happened while reading a corpus: counts and the places of problems.

    Examples
    --------
    >>> report = LoadReport()
    >>> report.summary()
    '0 documents read'
    """

    documents: int = 0
    skipped_empty: list[str] = field(default_factory=list)
    skipped_binary: list[str] = field(default_factory=list)
    skipped_invalid: list[str] = field(default_factory=list)
    replaced: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        """One line that counts documents and problems."""
        parts = [f"{self.documents} documents read"]
        if self.skipped_empty:
            parts.append(f"{len(self.skipped_empty)} empty skipped")
        if self.skipped_binary:
            parts.append(f"{len(self.skipped_binary)} binary skipped")
        if self.skipped_invalid:
            parts.append(f"{len(self.skipped_invalid)} invalid records skipped")
        if self.replaced:
            total = sum(self.replaced.values())
            parts.append(f"{total} undecodable bytes replaced in {len(self.replaced)} places")
        return ", ".join(parts)


def _decode(raw: bytes, where: str, report: LoadReport) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("utf-8", errors="replace")
        count = text.count(_REPLACEMENT) - raw.count(_REPLACEMENT.encode("utf-8"))
        report.replaced[where] = max(count, 1)
        logger.warning("%s: not valid UTF-8; %d undecodable bytes replaced by U+FFFD", where, max(count, 1))
        return text


def _is_binary(raw: bytes) -> bool:
    return b"\x00" in raw[:_BINARY_PROBE]


def _read_text_file(path: Path, report: LoadReport) -> str | None:
    raw = path.read_bytes()
    if _is_binary(raw):
        report.skipped_binary.append(str(path))
        logger.warning("%s: binary file skipped", path)
        return None
    text = _decode(raw, str(path), report)
    if not text.strip():
        report.skipped_empty.append(str(path))
        logger.warning("%s: empty file skipped", path)
        return None
    return text


def _decoded_lines(path: Path, report: LoadReport) -> Iterator[tuple[int, str]]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if b"\x00" in raw:
                report.skipped_binary.append(f"{path}:{number}")
                logger.warning("%s:%d: binary data skipped", path, number)
                continue
            yield number, _decode(raw, f"{path}:{number}", report)


def _detect_format(path: Path) -> str:
    if path.is_dir():
        return "folder"
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix in (".csv", ".tsv"):
        return "csv"
    return "text"


def _record_to_document(record: dict[str, Any], where: str, default_id: str, text_field: str) -> Document:
    text = record.get(text_field)
    if not isinstance(text, str):
        got = "missing" if text is None else f"a {type(text).__name__}"
        raise CorpusError(f"{where}: field `{text_field}` must be a string; it is {got}")
    metadata = {k: v for k, v in record.items() if k != text_field and (k == "text" or k not in _KNOWN_FIELDS)}
    raw_id = record.get("id")
    return Document(
        id=str(raw_id) if raw_id not in (None, "") else default_id,
        text=text,
        title=_opt_str(record.get("title")),
        date=_opt_str(record.get("date")),
        source=_opt_str(record.get("source")),
        label=_opt_str(record.get("label")),
        metadata=metadata,
        origin=where,
    )


def _opt_str(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _iter_records(
    records: Iterable[tuple[str, str, dict[str, Any] | Exception]],
    text_field: str,
    errors: str,
    report: LoadReport,
) -> Iterator[Document]:
    for where, default_id, record in records:
        try:
            if isinstance(record, Exception):
                raise CorpusError(f"{where}: {record}")
            doc = _record_to_document(record, where, default_id, text_field)
        except CorpusError as exc:
            if errors == "raise":
                raise
            report.skipped_invalid.append(where)
            logger.warning("%s (record skipped)", exc)
            continue
        if not doc.text.strip():
            report.skipped_empty.append(where)
            logger.warning("%s: empty `%s` skipped", where, text_field)
            continue
        yield doc


def _jsonl_records(path: Path, report: LoadReport) -> Iterator[tuple[str, str, dict[str, Any] | Exception]]:
    seen = 0
    for number, line in _decoded_lines(path, report):
        if number == 1:
            line = line.lstrip("\ufeff")
        if not line.strip():
            continue
        seen += 1
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield where, f"{path.name}:{number}", ValueError(f"invalid JSON ({exc.msg.rstrip()}, column {exc.colno})")
            continue
        if not isinstance(record, dict):
            yield where, f"{path.name}:{number}", ValueError("a JSON object is expected on each line")
            continue
        yield where, f"{path.name}:{number}", record
    if not seen:
        report.skipped_empty.append(str(path))
        logger.warning("%s: empty file skipped", path)


def _csv_records(path: Path, report: LoadReport) -> Iterator[tuple[str, str, dict[str, Any] | Exception]]:
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    lines = (text for _, text in _decoded_lines(path, report))
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        report.skipped_empty.append(str(path))
        logger.warning("%s: empty file skipped", path)
        return
    except csv.Error as exc:
        raise CorpusError(f"{path}:1: unreadable CSV header ({exc})") from exc
    header = [name.strip().lstrip("\ufeff") for name in header]
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield f"{path}:{reader.line_num}", f"{path.name}:{reader.line_num}", ValueError(f"unreadable CSV ({exc})")
            continue
        if not row or all(not cell.strip() for cell in row):
            continue
        where = f"{path}:{reader.line_num}"
        if len(row) != len(header):
            yield (
                where,
                f"{path.name}:{reader.line_num}",
                ValueError(f"{len(row)} fields where the header has {len(header)}"),
            )
            continue
        yield where, f"{path.name}:{reader.line_num}", dict(zip(header, row, strict=True))


def iter_documents(
    path: str | Path,
    *,
    format: Format | str = "auto",
    text_field: str = "text",
    errors: Literal["raise", "skip"] | str = "raise",
    report: LoadReport | None = None,
) -> Iterator[Document]:
    """Stream the documents of a corpus, one at a time.

    Parameters
    ----------
    path : str or Path
        A folder of ``.txt`` files, a text file, a ``.jsonl`` or a ``.csv`` file.
    format : {"auto", "folder", "text", "lines", "jsonl", "csv"}
        ``"auto"`` picks by the path: a folder, ``.jsonl``, ``.csv``/``.tsv``,
        or else a single text document.  ``"lines"`` reads one document per line.
    text_field : str
        The field holding the text in JSONL and CSV records.
    errors : {"raise", "skip"}
        What to do with a malformed record: raise :class:`CorpusError` naming
        the file and line, or skip it with a warning (it is counted in the report).
    report : LoadReport, optional
        Filled in as documents are read.

    Yields
    ------
    Document

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.txt").write_text("Survivors spoke out.", encoding="utf-8")
    >>> [d.id for d in iter_documents(folder)]
    ['a.txt']
    """
    path = Path(path)
    report = report if report is not None else LoadReport()
    if format not in FORMATS:
        raise CorpusError(f"{path}: unknown format {format!r}; expected one of {', '.join(FORMATS)}")
    if errors not in ("raise", "skip"):
        raise CorpusError(f"errors must be 'raise' or 'skip'; got {errors!r}")
    if not path.exists():
        raise CorpusError(f"{path}: no such file or folder")
    fmt = _detect_format(path) if format == "auto" else format
    if fmt == "folder":
        if not path.is_dir():
            raise CorpusError(f"{path}: format 'folder' needs a folder")
        stream: Iterator[Document] = _iter_folder(path, report)
    elif path.is_dir():
        raise CorpusError(f"{path}: format {fmt!r} needs a file, not a folder")
    elif fmt == "text":
        stream = _iter_single(path, report)
    elif fmt == "lines":
        stream = _iter_lines(path, report)
    elif fmt == "jsonl":
        stream = _iter_records(_jsonl_records(path, report), text_field, errors, report)
    else:
        stream = _iter_records(_csv_records(path, report), text_field, errors, report)
    seen: set[str] = set()
    for doc in stream:
        if doc.id in seen:
            raise CorpusError(f"{doc.origin}: duplicate document id {doc.id!r}")
        seen.add(doc.id)
        report.documents += 1
        yield doc


def _iter_single(path: Path, report: LoadReport) -> Iterator[Document]:
    text = _read_text_file(path, report)
    if text is not None:
        yield Document(id=path.name, text=text, origin=str(path))


def _iter_folder(folder: Path, report: LoadReport) -> Iterator[Document]:
    for path in sorted(p for p in folder.rglob("*.txt") if p.is_file()):
        text = _read_text_file(path, report)
        if text is not None:
            doc_id = path.relative_to(folder).as_posix()
            yield Document(id=doc_id, text=text, origin=str(path))


def _iter_lines(path: Path, report: LoadReport) -> Iterator[Document]:
    seen = 0
    for number, line in _decoded_lines(path, report):
        text = line.rstrip("\r\n")
        if not text.strip():
            continue
        seen += 1
        yield Document(id=f"{path.name}:{number}", text=text, origin=f"{path}:{number}")
    if not seen:
        report.skipped_empty.append(str(path))
        logger.warning("%s: empty file skipped", path)


def load_documents(path: str | Path, **kwargs: Any) -> tuple[list[Document], LoadReport]:
    """Read a whole corpus into a list; see :func:`iter_documents` for the arguments.

    Returns
    -------
    documents : list of Document
    report : LoadReport
    """
    report = LoadReport()
    docs = list(iter_documents(path, report=report, **kwargs))
    return docs, report
