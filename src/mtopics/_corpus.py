"""Reading documents: a folder of ``.txt`` files, a text file with one document
per line, JSON lines and CSV.

Documents are streamed: :func:`iter_documents` yields one :class:`Document` at a
time and never holds the whole corpus in memory.  Problems that lose no text
are repaired and reported; empty and binary files are skipped, counted and
reported; a malformed record (bad JSON, no ``text`` field) is an error that
names the file and the line, unless ``errors="skip"``.

Encodings: with ``encoding="auto"`` (the default) a file is read as UTF-8; a
byte-order mark picks UTF-16 (what Windows Notepad saves as "Unicode") or
UTF-8 with a BOM; and each byte that is not valid UTF-8 is read as
Windows-1252, the usual encoding of text pasted from Word on Windows (curly
quotes, dashes, accented letters), so that ``’`` stays ``’`` instead of
becoming U+FFFD.  Every such fallback is counted and reported with the file (and
line).  A file in another encoding (Urdu in Windows-1256, say) is read right
only when that encoding is named: ``encoding="cp1256"``.
"""

from __future__ import annotations

import codecs
import csv
import json
import logging
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .exceptions import CorpusError

__all__ = ["FORMATS", "Document", "LoadReport", "check_encoding", "iter_documents", "load_documents"]

logger = logging.getLogger("mtopics")

#: Formats understood by :func:`iter_documents`.
FORMATS = ("auto", "folder", "text", "lines", "jsonl", "csv")
Format = Literal["auto", "folder", "text", "lines", "jsonl", "csv"]

_KNOWN_FIELDS = ("id", "text", "title", "date", "source", "label")
_BINARY_PROBE = 8192
_REPLACEMENT = "\ufffd"
#: The choices of ``encoding``, in words (for messages, the CLI's help and the config docs).
ENCODING_HELP = (
    '"auto": UTF-8, UTF-16 by its byte-order mark, and each byte that is not UTF-8 read as Windows-1252 '
    '(every fallback is reported); or a Python codec name such as "cp1256"'
)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


@dataclass(frozen=True)
class Document:
    """One article (or one record) of a corpus.

    Parameters
    ----------
    id : str
        Unique id: the file name for a folder, ``<file>:<line>`` for a line of a
        text file, the ``id`` field (or ``<file>:<line>``) for JSONL and CSV.
    text : str
        The raw text, decoded (see the module's notes on encodings).
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
    #: Bytes that were not UTF-8 and were read as Windows-1252, by place (``encoding="auto"``).
    windows_1252: dict[str, int] = field(default_factory=dict)
    #: Places decoded by their byte-order mark as UTF-16 (``encoding="auto"``).
    utf16: list[str] = field(default_factory=list)
    #: Record problems without logging them (for a second read of files already reported).
    quiet: bool = False

    def warn(self, message: str, *args: object) -> None:
        """Log one problem on the ``mtopics`` logger, unless the report is quiet."""
        if not self.quiet:
            logger.warning(message, *args)

    def summary(self) -> str:
        """One line that counts documents and problems."""
        parts = [f"{self.documents} documents read"]
        if self.skipped_empty:
            parts.append(f"{len(self.skipped_empty)} empty skipped")
        if self.skipped_binary:
            parts.append(f"{len(self.skipped_binary)} binary skipped")
        if self.skipped_invalid:
            parts.append(f"{len(self.skipped_invalid)} invalid records skipped")
        if self.utf16:
            parts.append(f"{len(self.utf16)} read as UTF-16")
        if self.windows_1252:
            total = sum(self.windows_1252.values())
            parts.append(f"{_n(total, 'byte')} read as Windows-1252 in {_n(len(self.windows_1252), 'place')}")
        if self.replaced:
            total = sum(self.replaced.values())
            parts.append(f"{_n(total, 'undecodable byte')} replaced in {_n(len(self.replaced), 'place')}")
        return ", ".join(parts)

    def warnings_for(self, where: str) -> list[str]:
        """The decoding notes of one place, in words: a file, or a record's ``file:line``
        (with the notes of its whole file, as for a UTF-16 file decoded at once).

        Examples
        --------
        >>> report = LoadReport(windows_1252={"a.jsonl:3": 2}, utf16=["b.csv"])
        >>> report.warnings_for("a.jsonl:3")
        ['not valid UTF-8: 2 bytes read as Windows-1252']
        >>> report.warnings_for("b.csv:2")
        ['read as UTF-16 (byte-order mark)']
        """
        places = [where]
        file, colon, line = where.rpartition(":")
        if colon and line.isdigit():
            places.insert(0, file)
        notes = []
        for place in places:
            if place in self.utf16:
                notes.append("read as UTF-16 (byte-order mark)")
            if place in self.windows_1252:
                notes.append(f"not valid UTF-8: {_n(self.windows_1252[place], 'byte')} read as Windows-1252")
            if place in self.replaced:
                notes.append(f"{_n(self.replaced[place], 'undecodable byte')} replaced")
        return notes


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def check_encoding(encoding: str) -> str:
    """``encoding`` if it is ``"auto"`` or the name of a Python text codec; else :class:`CorpusError`.

    >>> check_encoding("cp1256")
    'cp1256'
    """
    if encoding == "auto":
        return encoding
    try:
        info = codecs.lookup(encoding)
    except (LookupError, TypeError):
        msg = f'unknown encoding {encoding!r}; give "auto" or a Python codec name such as "cp1256"'
        raise CorpusError(msg) from None
    if not getattr(info, "_is_text_encoding", True):
        raise CorpusError(f"encoding {encoding!r} is not a text encoding")
    return encoding


# Decoding errors are counted per call through a handler registered once; the counts live in
# thread-local state so that threads decoding at the same time do not mix them.
_counts = threading.local()
_CP1252 = [bytes([b]).decode("cp1252", errors="replace") for b in range(256)]


def _fallback_cp1252(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    out = []
    for byte in exc.object[exc.start : exc.end]:
        char = _CP1252[byte]
        if char == _REPLACEMENT:  # one of the five bytes Windows-1252 leaves undefined
            _counts.replaced += 1
        else:
            _counts.recoded += 1
        out.append(char)
    return "".join(out), exc.end


def _count_replace(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    _counts.replaced += 1
    return _REPLACEMENT, exc.end


codecs.register_error("mtopics.cp1252", _fallback_cp1252)
codecs.register_error("mtopics.replace", _count_replace)


def _decode_counted(raw: bytes, codec: str, errors: str) -> tuple[str, int, int]:
    _counts.recoded = _counts.replaced = 0
    text = raw.decode(codec, errors=errors)
    return text, _counts.recoded, _counts.replaced


def _decode(raw: bytes, where: str, report: LoadReport, encoding: str = "auto") -> str:
    """Decode the bytes of one place; what was not plain text in ``encoding`` goes into ``report``."""
    if encoding == "auto":
        codec, errors = "utf-8", "mtopics.cp1252"
        for bom, name in _BOMS:
            if raw.startswith(bom):
                raw, codec = raw[len(bom) :], name
                if name != "utf-8":
                    errors = "mtopics.replace"
                    report.utf16.append(where)
                    report.warn("%s: read as UTF-16 (byte-order mark)", where)
                break
    else:
        codec, errors = encoding, "mtopics.replace"
    text, recoded, replaced = _decode_counted(raw, codec, errors)
    if recoded:
        report.windows_1252[where] = recoded
        report.warn(
            "%s: not valid UTF-8; %s read as Windows-1252 (if the file is in another encoding, name it: "
            "encoding=..., [corpus].encoding, --encoding)",
            where,
            _n(recoded, "byte"),
        )
    if replaced:
        report.replaced[where] = replaced
        report.warn("%s: %s replaced by U+FFFD", where, _n(replaced, "undecodable byte"))
    return text


def _is_binary(raw: bytes, encoding: str) -> bool:
    if _wide(encoding, raw):
        return False  # UTF-16 and UTF-32 text is full of NUL bytes
    return b"\x00" in raw[:_BINARY_PROBE]


def _wide(encoding: str, head: bytes) -> bool:
    """Whether text in ``encoding`` (for "auto": that ``head`` starts) has bytes other than b"\n" for "\n"."""
    if encoding == "auto":
        return head.startswith(_UTF16_BOMS)
    return "\n".encode(encoding) != b"\n"


def _read_text_file(path: Path, report: LoadReport, encoding: str = "auto") -> str | None:
    raw = path.read_bytes()
    if _is_binary(raw, encoding):
        report.skipped_binary.append(str(path))
        report.warn("%s: binary file skipped", path)
        return None
    text = _decode(raw, str(path), report, encoding)
    if not text.strip():
        report.skipped_empty.append(str(path))
        report.warn("%s: empty file skipped", path)
        return None
    return text


def _decoded_lines(path: Path, report: LoadReport, encoding: str = "auto") -> Iterator[tuple[int, str]]:
    with path.open("rb") as handle:
        head = handle.read(2)
        handle.seek(0)
        if _wide(encoding, head):
            # lines of UTF-16 (or UTF-32) text do not end at the byte b"\n": decode the whole file
            text = _decode(handle.read(), str(path), report, encoding)
            lines = text.split("\n")
            if lines and lines[-1] == "":
                lines.pop()
            for number, line in enumerate(lines, start=1):
                yield number, line + "\n"
            return
        for number, raw in enumerate(handle, start=1):
            if b"\x00" in raw:
                report.skipped_binary.append(f"{path}:{number}")
                report.warn("%s:%d: binary data skipped", path, number)
                continue
            yield number, _decode(raw, f"{path}:{number}", report, encoding)


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
            report.warn("%s (record skipped)", exc)
            continue
        if not doc.text.strip():
            report.skipped_empty.append(where)
            report.warn("%s: empty `%s` skipped", where, text_field)
            continue
        yield doc


def _jsonl_records(
    path: Path, report: LoadReport, encoding: str
) -> Iterator[tuple[str, str, dict[str, Any] | Exception]]:
    seen = 0
    for number, line in _decoded_lines(path, report, encoding):
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
        report.warn("%s: empty file skipped", path)


def _csv_records(
    path: Path, report: LoadReport, encoding: str
) -> Iterator[tuple[str, str, dict[str, Any] | Exception]]:
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    lines = (text for _, text in _decoded_lines(path, report, encoding))
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        report.skipped_empty.append(str(path))
        report.warn("%s: empty file skipped", path)
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
    encoding: str = "auto",
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
    encoding : str
        ``"auto"`` (UTF-8, a byte-order mark for UTF-16, and Windows-1252 for
        the bytes that are not UTF-8; every fallback is reported) or a Python
        codec name such as ``"cp1256"``, whose undecodable bytes are replaced
        by U+FFFD and counted.
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
    try:
        check_encoding(encoding)
    except CorpusError as exc:
        raise CorpusError(f"{path}: {exc}") from None
    if not path.exists():
        raise CorpusError(f"{path}: no such file or folder")
    fmt = _detect_format(path) if format == "auto" else format
    if fmt == "folder":
        if not path.is_dir():
            raise CorpusError(f"{path}: format 'folder' needs a folder")
        stream: Iterator[Document] = _iter_folder(path, report, encoding)
    elif path.is_dir():
        raise CorpusError(f"{path}: format {fmt!r} needs a file, not a folder")
    elif fmt == "text":
        stream = _iter_single(path, report, encoding)
    elif fmt == "lines":
        stream = _iter_lines(path, report, encoding)
    elif fmt == "jsonl":
        stream = _iter_records(_jsonl_records(path, report, encoding), text_field, errors, report)
    else:
        stream = _iter_records(_csv_records(path, report, encoding), text_field, errors, report)
    seen: set[str] = set()
    for doc in stream:
        if doc.id in seen:
            raise CorpusError(f"{doc.origin}: duplicate document id {doc.id!r}")
        seen.add(doc.id)
        report.documents += 1
        yield doc


def _iter_single(path: Path, report: LoadReport, encoding: str) -> Iterator[Document]:
    text = _read_text_file(path, report, encoding)
    if text is not None:
        yield Document(id=path.name, text=text, origin=str(path))


def _iter_folder(folder: Path, report: LoadReport, encoding: str) -> Iterator[Document]:
    for path in sorted(p for p in folder.rglob("*.txt") if p.is_file()):
        text = _read_text_file(path, report, encoding)
        if text is not None:
            doc_id = path.relative_to(folder).as_posix()
            yield Document(id=doc_id, text=text, origin=str(path))


def _iter_lines(path: Path, report: LoadReport, encoding: str) -> Iterator[Document]:
    seen = 0
    for number, line in _decoded_lines(path, report, encoding):
        text = line.rstrip("\r\n")
        if not text.strip():
            continue
        seen += 1
        yield Document(id=f"{path.name}:{number}", text=text, origin=f"{path}:{number}")
    if not seen:
        report.skipped_empty.append(str(path))
        report.warn("%s: empty file skipped", path)


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
