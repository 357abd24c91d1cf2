"""Tests of mtopics._corpus: formats, ids, fields, reported problems and streaming."""

from __future__ import annotations

import inspect
import json
import logging
import re
from pathlib import Path

import pytest

from mtopics import CorpusError, Document, LoadReport, iter_documents, load_documents


def _write_jsonl(path: Path, *lines: str) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


# --- folders ------------------------------------------------------------------------


def test_folder_ids_are_relative_file_names_sorted_and_nested(tmp_path: Path) -> None:
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "b.txt").write_text("Bee text", encoding="utf-8")
    (tmp_path / "a.txt").write_text("Aa text", encoding="utf-8")
    (tmp_path / "sub" / "c.txt").write_text("Sea text", encoding="utf-8")
    (tmp_path / "sub" / "deeper" / "0.txt").write_text("Zero text", encoding="utf-8")
    (tmp_path / "notes.md").write_text("not a .txt file", encoding="utf-8")
    docs, report = load_documents(tmp_path)
    assert [d.id for d in docs] == ["a.txt", "b.txt", "sub/c.txt", "sub/deeper/0.txt"]
    assert [d.text for d in docs] == ["Aa text", "Bee text", "Sea text", "Zero text"]
    assert docs[2].origin == str(tmp_path / "sub" / "c.txt")
    assert docs[0] == Document(id="a.txt", text="Aa text", origin=str(tmp_path / "a.txt"))
    assert report.documents == 4
    assert report.summary() == "4 documents read"


def test_seed_folder(seed_dir: Path, seed_texts: dict[str, str]) -> None:
    docs, report = load_documents(seed_dir, format="folder")
    assert {d.id: d.text for d in docs} == seed_texts
    assert [d.id for d in docs] == sorted(seed_texts)
    assert report.summary() == "5 documents read"


def test_single_text_file_is_one_document(tmp_path: Path) -> None:
    path = tmp_path / "article.txt"
    path.write_text("Line one.\r\n\r\nLine two.\n", encoding="utf-8")
    docs, _ = load_documents(path)
    assert docs == [Document(id="article.txt", text="Line one.\r\n\r\nLine two.\n", origin=str(path))]


def test_lines_format_ids_are_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "lines.txt"
    path.write_text("first doc\r\n\r\n  \nfourth line doc\n", encoding="utf-8")
    docs, report = load_documents(path, format="lines")
    assert [(d.id, d.text, d.origin) for d in docs] == [
        ("lines.txt:1", "first doc", f"{path}:1"),
        ("lines.txt:4", "fourth line doc", f"{path}:4"),
    ]
    assert report.documents == 2


# --- JSONL and CSV ------------------------------------------------------------------


def test_jsonl_known_fields_and_metadata(tmp_path: Path) -> None:
    record = {
        "id": 7,
        "text": "Survivors spoke.",
        "title": "T",
        "date": "2019-01-01",
        "source": "Dawn",
        "label": "favor",
        "url": "https://x",
        "n": 3,
    }
    path = _write_jsonl(tmp_path / "c.jsonl", json.dumps(record), "", json.dumps({"text": "Second.", "id": ""}))
    docs, report = load_documents(path)
    assert docs == [
        Document(
            id="7",
            text="Survivors spoke.",
            title="T",
            date="2019-01-01",
            source="Dawn",
            label="favor",
            metadata={"url": "https://x", "n": 3},
            origin=f"{path}:1",
        ),
        Document(id="c.jsonl:3", text="Second.", origin=f"{path}:3"),
    ]
    assert report.documents == 2


def test_jsonl_other_text_field(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "c.ndjson", json.dumps({"body": "Body text.", "lang": "en"}))
    (doc,) = list(iter_documents(path, text_field="body"))
    assert doc.text == "Body text."
    assert doc.metadata == {"lang": "en"}


def test_jsonl_other_text_field_keeps_a_text_field_in_metadata(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "c.jsonl", json.dumps({"body": "Body text.", "text": "a summary"}))
    (doc,) = list(iter_documents(path, text_field="body"))
    assert doc.metadata == {"text": "a summary"}


def test_csv_fields_metadata_and_quoted_newlines(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(
        b"\xef\xbb\xbfid,text,title,label,extra\n"
        b'a1,"Survivors, in Lahore, spoke.",T1,against,9\n'
        b",Second text,,,\n"
        b'm,"two\nlines",,,\n'
    )
    docs, _ = load_documents(path)
    assert docs.pop().text == "two\nlines"
    assert docs == [
        Document(
            id="a1",
            text="Survivors, in Lahore, spoke.",
            title="T1",
            label="against",
            metadata={"extra": "9"},
            origin=f"{path}:2",
        ),
        Document(id="c.csv:3", text="Second text", metadata={"extra": ""}, origin=f"{path}:3"),
    ]


def test_tsv_is_tab_separated(tmp_path: Path) -> None:
    path = tmp_path / "c.tsv"
    path.write_text("id\ttext\tsource\n1\thello, world\tDawn\n", encoding="utf-8")
    docs, _ = load_documents(path)
    assert docs == [Document(id="1", text="hello, world", source="Dawn", origin=f"{path}:2")]


def test_format_can_be_forced(tmp_path: Path) -> None:
    path = tmp_path / "records.txt"
    path.write_text('{"text": "A record."}\n', encoding="utf-8")
    assert [d.text for d in iter_documents(path, format="jsonl")] == ["A record."]
    assert [d.text for d in iter_documents(path)] == ['{"text": "A record."}\n']


def test_csv_row_with_wrong_number_of_fields(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("id,text,label\n1,ok,favor\n2,too,many,fields\n3,fine,none\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"c\.csv:3: 4 fields where the header has 3"):
        list(iter_documents(path))
    docs, report = load_documents(path, errors="skip")
    assert [d.id for d in docs] == ["1", "3"]
    assert report.skipped_invalid == [f"{path}:3"]


def test_empty_csv_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("", encoding="utf-8")
    docs, report = load_documents(path)
    assert docs == []
    assert report.skipped_empty == [str(path)]


# --- errors in records --------------------------------------------------------------


def test_malformed_jsonl_line_names_file_and_line(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "c.jsonl", '{"text": "fine"}', "", '{"text": broken}', '{"text": "after"}')
    stream = iter_documents(path)
    assert next(stream).text == "fine"
    with pytest.raises(CorpusError, match=rf"^{re.escape(str(path))}:3: invalid JSON"):
        next(stream)


def test_malformed_jsonl_line_skipped_and_counted(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = _write_jsonl(tmp_path / "c.jsonl", '{"text": "fine"}', '{"text": broken}', "[1, 2]", '{"text": "after"}')
    with caplog.at_level(logging.WARNING, logger="mtopics"):
        docs, report = load_documents(path, errors="skip")
    assert [d.text for d in docs] == ["fine", "after"]
    assert report.skipped_invalid == [f"{path}:2", f"{path}:3"]
    assert report.summary() == "2 documents read, 2 invalid records skipped"
    assert f"{path}:2" in caplog.text
    assert "record skipped" in caplog.text


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"body": "x"}, "field `text` must be a string; it is missing"),
        ({"text": 5}, "field `text` must be a string; it is a int"),
        ({"text": None}, "field `text` must be a string; it is missing"),
    ],
)
def test_missing_or_wrong_text_field(tmp_path: Path, record: dict[str, object], message: str) -> None:
    path = _write_jsonl(tmp_path / "c.jsonl", '{"text": "ok"}', json.dumps(record))
    with pytest.raises(CorpusError) as info:
        list(iter_documents(path))
    assert str(info.value) == f"{path}:2: {message}"


def test_record_with_empty_text_is_skipped_as_empty(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "c.jsonl", '{"text": "  "}', '{"text": "kept"}')
    docs, report = load_documents(path)
    assert [d.text for d in docs] == ["kept"]
    assert report.skipped_empty == [f"{path}:1"]
    assert report.skipped_invalid == []


def test_duplicate_ids_raise(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "c.jsonl", '{"id": "a", "text": "x"}', '{"id": "a", "text": "y"}')
    with pytest.raises(CorpusError, match=rf"^{re.escape(str(path))}:2: duplicate document id 'a'"):
        load_documents(path)


def test_duplicate_ids_raise_even_when_skipping_errors(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("id,text\n1,a\n1,b\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="duplicate document id '1'"):
        load_documents(path, errors="skip")


# --- bad arguments ------------------------------------------------------------------


def test_unknown_format_and_errors_values(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(CorpusError, match="unknown format 'xml'"):
        load_documents(path, format="xml")
    with pytest.raises(CorpusError, match="errors must be 'raise' or 'skip'; got 'ignore'"):
        load_documents(path, errors="ignore")


def test_nonexistent_path(tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    with pytest.raises(CorpusError, match=rf"^{re.escape(str(missing))}: no such file or folder"):
        load_documents(missing)
    assert issubclass(CorpusError, ValueError)


def test_folder_and_file_formats_do_not_mix(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(CorpusError, match="format 'folder' needs a folder"):
        load_documents(path, format="folder")
    with pytest.raises(CorpusError, match="format 'jsonl' needs a file, not a folder"):
        load_documents(tmp_path, format="jsonl")


# --- repaired and skipped input -----------------------------------------------------


def test_windows_1252_bytes_are_read_as_such_and_reported(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # text saved from Word on Windows: curly quotes, a dash and an accent, none of them UTF-8
    path = tmp_path / "word.txt"
    # ... and a genuine U+FFFD in UTF-8, which is text, not a fallback
    path.write_bytes("She said \u201cenough\u201d \u2014 caf\u00e9 kept".encode("cp1252") + " \ufffd".encode("utf-8"))
    with caplog.at_level(logging.WARNING, logger="mtopics"):
        docs, report = load_documents(tmp_path)
    assert docs[0].text == "She said \u201cenough\u201d \u2014 caf\u00e9 kept \ufffd"
    assert report.windows_1252 == {str(path): 4}
    assert report.replaced == {}
    assert report.summary() == "1 documents read, 4 bytes read as Windows-1252 in 1 place"
    assert f"{path}: not valid UTF-8; 4 bytes read as Windows-1252" in caplog.text
    assert "name it" in caplog.text


def test_utf8_and_windows_1252_mixed_in_one_file(tmp_path: Path) -> None:
    path = tmp_path / "mixed.txt"
    # a UTF-8 apostrophe, a Windows-1252 one, and 0x81, which Windows-1252 leaves undefined
    path.write_bytes(b"it\xe2\x80\x99s and it\x92s and \x81 end")
    docs, report = load_documents(path)
    assert docs[0].text == "it\u2019s and it\u2019s and \ufffd end"
    assert report.windows_1252 == {str(path): 1}
    assert report.replaced == {str(path): 1}
    assert report.warnings_for(str(path)) == [
        "not valid UTF-8: 1 byte read as Windows-1252",
        "1 undecodable byte replaced",
    ]


def test_non_utf8_bytes_in_a_record_are_reported_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_bytes(b'{"text": "fine"}\n{"text": "caf\xe9"}\n')
    docs, report = load_documents(path)
    assert docs[1].text == "caf\u00e9"
    assert report.windows_1252 == {f"{path}:2": 1}


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be"])
def test_utf16_with_a_byte_order_mark_is_read_not_skipped_as_binary(tmp_path: Path, codec: str) -> None:
    text = "Survivors \u201cspoke\u201d out. \u0645\u06cc \u0679\u0648"
    path = tmp_path / "notepad.txt"
    raw = text.encode(codec)
    path.write_bytes(raw if codec == "utf-16" else b"\xfe\xff" + raw)  # utf-16 writes its own mark
    docs, report = load_documents(tmp_path)
    assert [d.text for d in docs] == [text]
    assert report.utf16 == [str(path)]
    assert report.skipped_binary == []
    assert report.summary() == "1 documents read, 1 read as UTF-16"


@pytest.mark.parametrize(
    ("name", "content"),
    [("c.csv", "text,label\n\u201ca\u201d,favor\nb,none\n"), ("c.jsonl", '{"text": "\u201ca\u201d"}\n{"text": "b"}\n')],
)
def test_utf16_records_keep_their_lines(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-16"))
    docs, report = load_documents(path)
    assert [d.text for d in docs] == ["\u201ca\u201d", "b"]
    assert [d.origin for d in docs] == (
        [f"{path}:2", f"{path}:3"] if name.endswith(".csv") else [f"{path}:1", f"{path}:2"]
    )
    assert report.utf16 == [str(path)]


def test_utf8_byte_order_mark_is_dropped(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"\xef\xbb\xbfHeadline")
    (tmp_path / "b.txt").write_bytes(b"\xef\xbb\xbffirst\nsecond\n")
    docs, report = load_documents(tmp_path)
    assert docs[0].text == "Headline"
    lines, _ = load_documents(tmp_path / "b.txt", format="lines")
    assert [d.text for d in lines] == ["first", "second"]
    assert report.summary() == "2 documents read"


def test_a_named_encoding_is_used_and_its_errors_counted(tmp_path: Path) -> None:
    urdu = "\u0645\u0631\u062f \u0639\u0648\u0631\u062a"
    path = tmp_path / "urdu.txt"
    path.write_bytes(urdu.encode("cp1256"))
    auto, report = load_documents(path)
    assert auto[0].text != urdu and report.windows_1252  # read wrong, and said so
    docs, report = load_documents(path, encoding="cp1256")
    assert docs[0].text == urdu
    assert report.summary() == "1 documents read"
    path.write_bytes(b"ok \xff end")
    docs, report = load_documents(path, encoding="ascii")
    assert docs[0].text == "ok \ufffd end"
    assert report.replaced == {str(path): 1}


def test_a_named_wide_encoding_is_not_taken_for_binary(tmp_path: Path) -> None:
    path = tmp_path / "lines.txt"
    path.write_bytes("one\ntwo\n".encode("utf-16-le"))  # no byte-order mark: only a named encoding reads it
    docs, _ = load_documents(path, format="lines", encoding="utf-16-le")
    assert [d.text for d in docs] == ["one", "two"]
    unnamed, report = load_documents(path, format="lines")
    assert unnamed == []  # without the name, the NUL bytes say binary: skipped and reported, never garbled
    assert len(report.skipped_binary) == 3 and report.skipped_empty == [str(path)]


@pytest.mark.parametrize(
    ("encoding", "message"), [("klingon", "unknown encoding 'klingon'"), ("rot13", "'rot13' is not a text encoding")]
)
def test_a_bad_encoding_name_is_an_error_naming_the_path(tmp_path: Path, encoding: str, message: str) -> None:
    (tmp_path / "a.txt").write_text("text", encoding="utf-8")
    with pytest.raises(CorpusError, match=f"{tmp_path}: .*{message}"):
        load_documents(tmp_path, encoding=encoding)


def test_empty_and_binary_files_skipped_and_counted(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "a.txt").write_text("Article text.", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("  \n\n", encoding="utf-8")
    (tmp_path / "zero.txt").write_bytes(b"")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with caplog.at_level(logging.WARNING, logger="mtopics"):
        docs, report = load_documents(tmp_path)
    assert [d.id for d in docs] == ["a.txt"]
    assert report.skipped_empty == [str(tmp_path / "empty.txt"), str(tmp_path / "zero.txt")]
    assert report.skipped_binary == [str(tmp_path / "image.txt")]
    assert report.summary() == "1 documents read, 2 empty skipped, 1 binary skipped"
    assert "image.txt: binary file skipped" in caplog.text
    assert "empty.txt: empty file skipped" in caplog.text


def test_binary_line_in_a_lines_file(tmp_path: Path) -> None:
    path = tmp_path / "lines.txt"
    path.write_bytes(b"first\nbin\x00ary\nthird\n")
    docs, report = load_documents(path, format="lines")
    assert [d.id for d in docs] == ["lines.txt:1", "lines.txt:3"]
    assert report.skipped_binary == [f"{path}:2"]


@pytest.mark.parametrize(("name", "fmt"), [("c.jsonl", "auto"), ("lines.txt", "lines")])
def test_empty_jsonl_or_lines_file_is_reported(tmp_path: Path, name: str, fmt: str) -> None:
    path = tmp_path / name
    path.write_text("\n", encoding="utf-8")
    docs, report = load_documents(path, format=fmt)
    assert docs == []
    assert report.skipped_empty == [str(path)]


def test_jsonl_with_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"text": "hello"}\n')
    docs, _ = load_documents(path)
    assert [d.text for d in docs] == ["hello"]


# --- streaming -----------------------------------------------------------------------


def test_iter_documents_is_a_lazy_generator(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("first", encoding="utf-8")
    (tmp_path / "b.txt").write_text("second, old", encoding="utf-8")
    stream = iter_documents(tmp_path)
    assert inspect.isgenerator(stream)
    report = LoadReport()
    stream = iter_documents(tmp_path, report=report)
    assert next(stream).text == "first"
    assert report.documents == 1
    # b.txt has not been read yet: a change made now is seen
    (tmp_path / "b.txt").write_text("second, new", encoding="utf-8")
    assert next(stream).text == "second, new"
    assert report.documents == 2
    with pytest.raises(StopIteration):
        next(stream)


def test_iter_documents_reads_one_file_per_document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text(name, encoding="utf-8")
    read: list[str] = []
    original = Path.read_bytes

    def spy(self: Path) -> bytes:
        read.append(self.name)
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", spy)
    stream = iter_documents(tmp_path)
    assert read == []
    assert next(stream).id == "a.txt"
    assert read == ["a.txt"]
    assert next(stream).id == "b.txt"
    assert read == ["a.txt", "b.txt"]


def test_jsonl_is_streamed_line_by_line(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "c.jsonl", '{"text": "one"}', '{"text": broken}')
    # the bad second line is not looked at before the first document is used
    assert next(iter_documents(path)).text == "one"


def test_load_documents_returns_list_and_report(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "c.jsonl", '{"text": "one"}', '{"text": "two"}')
    docs, report = load_documents(path)
    assert isinstance(docs, list)
    assert [d.id for d in docs] == ["c.jsonl:1", "c.jsonl:2"]
    assert isinstance(report, LoadReport)
    assert report.documents == 2


def test_empty_report_summary() -> None:
    assert LoadReport().summary() == "0 documents read"


def test_a_quiet_report_records_without_logging(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "a.txt").write_bytes(b"caf\xe9")
    (tmp_path / "b.txt").write_bytes(b"")
    with caplog.at_level(logging.WARNING, logger="mtopics"):
        _, loud = load_documents(tmp_path)
        assert "a.txt: not valid UTF-8" in caplog.text and "b.txt: empty file skipped" in caplog.text
        caplog.clear()
        quiet = LoadReport(quiet=True)
        list(iter_documents(tmp_path, report=quiet))
    assert caplog.text == ""
    assert (
        quiet.summary() == loud.summary() == "1 documents read, 1 empty skipped, 1 byte read as Windows-1252 in 1 place"
    )
