"""Tests of mtopics._labelled: labelled stance files in CSV and JSONL."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mtopics import CorpusError, LabelledExample, LoadReport, iter_labelled
from mtopics._labelled import normalise_label


def _jsonl(path: Path, *records: dict[str, object]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("raw", "label"),
    [
        ("favor", "favor"),
        ("FAVOR", "favor"),
        ("Favour", "favor"),
        (" pro ", "favor"),
        ("Against", "against"),
        ("con", "against"),
        ("none", "none"),
        ("NEUTRAL", "none"),
    ],
)
def test_normalise_label(raw: str, label: str) -> None:
    assert normalise_label(raw, "x.csv:2") == label


@pytest.mark.parametrize("raw", ["maybe", "", None, 1])
def test_normalise_label_rejects_other_values(raw: object) -> None:
    with pytest.raises(CorpusError, match=r"^x\.csv:2: label must be one of favor, against, none; got "):
        normalise_label(raw, "x.csv:2")


def test_csv_examples(tmp_path: Path) -> None:
    path = tmp_path / "stance.csv"
    path.write_text(
        "id,text,label,article\np1,Text one,FAVOUR,art1\np2,Text two, Neutral ,art1\np3,Text three,against,art2\n",
        encoding="utf-8",
    )
    examples = list(iter_labelled(path, group_field="article"))
    assert examples == [
        LabelledExample("p1", "Text one", "favor", 1.0, "art1", "stance.csv", False, f"{path}:2"),
        LabelledExample("p2", "Text two", "none", 1.0, "art1", "stance.csv", False, f"{path}:3"),
        LabelledExample("p3", "Text three", "against", 1.0, "art2", "stance.csv", False, f"{path}:4"),
    ]


def test_jsonl_examples_with_weights_and_options(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "team.jsonl",
        {"text": "x", "label": "Pro", "article": "A"},
        {"text": "y", "label": "con", "weight": 0.25, "article": "B"},
        {"text": "z", "label": "none", "weight": "2"},
    )
    examples = list(iter_labelled(path, weight=4.0, evaluate=True, source="team", group_field="article"))
    assert [(e.id, e.label, e.weight, e.group) for e in examples] == [
        ("team.jsonl:1", "favor", 4.0, "A"),
        ("team.jsonl:2", "against", 1.0, "B"),
        ("team.jsonl:3", "none", 8.0, ""),
    ]
    assert all(e.evaluate and e.source == "team" for e in examples)


def test_evaluate_defaults_to_false_and_source_to_file_name(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "ext.jsonl", {"text": "x", "label": "favor"})
    (example,) = iter_labelled(path)
    assert (example.evaluate, example.source, example.weight, example.group) == (False, "ext.jsonl", 1.0, "")
    (example,) = iter_labelled(path, evaluate=True)
    assert example.evaluate is True


def test_group_field_from_a_known_field(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "g.jsonl", {"text": "x", "label": "favor", "source": "Dawn"})
    (example,) = iter_labelled(path, group_field="source")
    assert example.group == "Dawn"


def test_other_label_and_text_fields(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "s.jsonl", {"id": "a", "body": "the text", "stance": "AGAINST"})
    (example,) = iter_labelled(path, text_field="body", label_field="stance")
    assert (example.id, example.text, example.label) == ("a", "the text", "against")


def test_bad_label_names_file_and_line(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "b.jsonl", {"text": "x", "label": "favor"}, {"text": "z", "label": "maybe"})
    stream = iter_labelled(path)
    assert next(stream).label == "favor"
    with pytest.raises(CorpusError, match=rf"^{re.escape(str(path))}:2: label must be one of .* got 'maybe'"):
        next(stream)


def test_missing_label_raises(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("text,label\nfine,favor\nno label,\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=rf"^{re.escape(str(path))}:3: label must be one of .* got None"):
        list(iter_labelled(path))


def test_bad_weight_names_file_and_line(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "w.jsonl", {"text": "x", "label": "none", "weight": "heavy"})
    with pytest.raises(CorpusError, match=rf"^{re.escape(str(path))}:1: field `weight` must be a number; got 'heavy'"):
        list(iter_labelled(path))


def test_report_is_filled(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "r.jsonl", {"text": "x", "label": "none"}, {"text": " ", "label": "none"})
    report = LoadReport()
    assert len(list(iter_labelled(path, report=report))) == 1
    assert report.documents == 1
    assert report.skipped_empty == [f"{path}:2"]


def test_empty_weight_cell_keeps_the_default_weight(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_text("text,label,weight\nweighted,favor,2\nplain,none,\n", encoding="utf-8")
    assert [e.weight for e in iter_labelled(path, weight=3.0)] == [6.0, 3.0]


def test_labelled_folder(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from mtopics import CorpusError
    from mtopics._labelled import load_labelled_folder

    (tmp_path / "x.txt").write_text("first article")
    (tmp_path / "y.txt").write_text("second article")
    (tmp_path / "labels.jsonl").write_text('{"id": "x.txt", "label": "Favour"}\n{"id": "y.txt", "label": "none"}\n')
    got = load_labelled_folder(tmp_path)
    assert [(e.id, e.label, e.kind) for e in got] == [("x.txt", "favor", "article"), ("y.txt", "none", "article")]
    (tmp_path / "labels.jsonl").write_text('{"id": "x.txt", "label": "favor"}\n{"id": "z.txt", "label": "none"}\n')
    with pytest.raises(CorpusError, match=r"id 'z\.txt' has no file"):
        load_labelled_folder(tmp_path)
    (tmp_path / "labels.jsonl").unlink()
    with pytest.raises(CorpusError, match="no label file"):
        load_labelled_folder(tmp_path)


def test_labelled_files_in_another_encoding(tmp_path: Path) -> None:
    from mtopics._labelled import load_labelled_folder

    urdu = "\u0645\u0631\u062f \u0639\u0648\u0631\u062a"
    path = tmp_path / "urdu.csv"
    path.write_bytes(f"text,label\n{urdu},none\n".encode("cp1256"))
    assert [e.text for e in iter_labelled(path, encoding="cp1256")] == [urdu]
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_bytes(urdu.encode("cp1256"))
    (folder / "labels.csv").write_bytes(b"id,label\na.txt,favor\n")
    assert [(e.text, e.label) for e in load_labelled_folder(folder, encoding="cp1256")] == [(urdu, "favor")]
