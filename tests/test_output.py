"""Tests of mtopics._output: the readable renderings."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from mtopics._output import format_jsonl, format_score_table, format_versions, score_csv_header, score_csv_row
from mtopics._store import VersionInfo

RECORD = {
    "id": "a.txt",
    "topics": [
        {"id": 2, "label": "court / hearing", "terms": ["court"], "weight": 0.61},
        {"id": 0, "label": "music / singer", "terms": ["music"], "weight": 0.39},
    ],
    "stance": {
        "label": "none",
        "probabilities": {"favor": 0.1, "against": 0.05, "none": 0.85},
        "evidence": {
            "passages": [
                {
                    "text": "The court adjourned.",
                    "label": "none",
                    "probabilities": {"favor": 0.1, "against": 0.05, "none": 0.85},
                }
            ],
            "terms": [{"term": "adjourned", "weight": 0.3}],
        },
    },
    "passages": 1,
    "tokens": 30,
    "warnings": ["short text: 30 tokens"],
}


def test_jsonl_is_one_line_of_json() -> None:
    line = format_jsonl(RECORD)
    assert "\n" not in line and json.loads(line) == RECORD


def test_table_shows_stance_topics_evidence_and_warnings() -> None:
    lines = format_score_table(RECORD).splitlines()
    assert lines[0] == "a.txt  (1 passages, 30 tokens)"
    assert lines[1].split()[:2] == ["stance", "NONE"]
    assert "61%  #2 court / hearing" in lines[2]
    assert any(line.strip().startswith("terms") and "adjourned" in line for line in lines)
    assert any('"The court adjourned."' in line for line in lines)
    assert lines[-1].strip() == "warning   short text: 30 tokens"


def test_table_shows_the_target_terms_an_article_uses() -> None:
    record = json.loads(json.dumps(RECORD))
    assert not any(line.strip().startswith("target") for line in format_score_table(record).splitlines())
    record["stance"]["evidence"]["target_terms"] = {"harass*": 3, "me too": 1}
    assert "  target    harass* 3, me too 1" in format_score_table(record).splitlines()


def test_csv_header_has_a_column_per_topic() -> None:
    assert score_csv_header(3) == [
        "id",
        "title",
        "date",
        "source",
        "stance",
        "p_favor",
        "p_against",
        "p_none",
        "passages",
        "tokens",
        "warnings",
        "topic_0",
        "topic_1",
        "topic_2",
    ]


def test_csv_row_with_stance_and_topics_places_weights_by_topic_id() -> None:
    row = score_csv_row(RECORD, 3)
    assert len(row) == len(score_csv_header(3))
    assert row[:11] == ["a.txt", "", "", "", "none", 0.1, 0.05, 0.85, 1, 30, "short text: 30 tokens"]
    # the record lists topic 2 (0.61) before topic 0 (0.39); the columns go by id, topic 1 is absent
    assert row[11:] == [0.39, "", 0.61]
    # a record from a JSONL or CSV input carries the title, date and source it had
    dated = score_csv_row(dict(RECORD, title="Hearing", date="2019-03-08"), 3)
    assert dated[:4] == ["a.txt", "Hearing", "2019-03-08", ""]


def test_csv_row_without_stance_or_topics_has_empty_cells() -> None:
    record: dict[str, Any] = {
        "id": "scan.txt",
        "topics": [],
        "stance": None,
        "passages": 0,
        "tokens": 0,
        "warnings": ["binary file skipped: in/scan.txt", "second"],
    }
    row = score_csv_row(record, 2)
    assert row == ["scan.txt", "", "", "", "", "", "", "", 0, 0, "binary file skipped: in/scan.txt | second", "", ""]


def test_csv_quotes_commas_quotes_and_newlines() -> None:
    record = dict(RECORD, id='odd, "name"\n.txt', warnings=['mostly out of vocabulary: "x", y', "short text"])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(score_csv_header(3))
    writer.writerow(score_csv_row(record, 3))
    assert '"odd, ""name""\n.txt"' in out.getvalue()  # RFC 4180: quoted, inner quotes doubled
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == 1
    assert rows[0]["id"] == 'odd, "name"\n.txt'
    assert rows[0]["warnings"] == 'mostly out of vocabulary: "x", y | short text'
    assert rows[0]["topic_2"] == "0.61" and rows[0]["topic_0"] == "0.39" and rows[0]["topic_1"] == ""


def test_versions_table() -> None:
    info = VersionInfo(
        "metoo_pk",
        "v3",
        Path("models/metoo_pk/v3"),
        {
            "created": "2026-11-21T07:00:00+00:00",
            "metrics": {
                "topics": {
                    "num_topics": 6,
                    "c_v": 0.4731,
                    "npmi": -0.2,
                    "u_mass": -3.25,
                    "diversity": 0.68,
                    "stability": 0.51,
                },
                "stance": {"macro_f1": 0.5, "f_avg": 0.4, "n": 61, "data": {"passages": "seed_passages.jsonl"}},
            },
        },
    )
    text = format_versions([info], latest=["models/metoo_pk/v3"])
    # the stance figures say what they rest on (a model of your own corpus keeps the seed figures)
    assert "stance_evaluated_on" in text and "61 passages of seed_passages.jsonl" in text
    header, row = text.splitlines()
    assert header.split()[:9] == [
        "experiment",
        "version",
        "created",
        "K",
        "c_v",
        "npmi",
        "u_mass",
        "diversity",
        "stability",
    ]
    assert row.split()[:10] == [
        "metoo_pk",
        "v3",
        "(latest)",
        "2026-11-21T07:00:00",
        "6",
        "0.473",
        "-0.200",
        "-3.250",
        "0.680",
        "0.510",
    ]
    assert header.split()[9] == "heldout_c_v" and row.split()[10] == "-"  # no held-out split
    # a version saved before stability was measured shows "-"
    del info.manifest["metrics"]["topics"]["stability"]
    info.manifest["metrics"]["topics"]["heldout"] = {"c_v": 0.612, "documents": 3}
    cells = format_versions([info]).splitlines()[1].split()
    assert cells[8:10] == ["-", "0.612"]  # no "(latest)" cell in this row
    del info.manifest["metrics"]["stance"]  # no stance evaluation: no figure, no basis
    assert format_versions([info]).splitlines()[1].split()[10:13] == ["-", "-", "-"]
    assert format_versions([]) == "no model versions"


def test_csv_topic_columns_carry_their_labels() -> None:
    header = score_csv_header(3, ["court / hearing", "music / singer", "law / bill"])
    assert header[-3:] == ["topic_0: court / hearing", "topic_1: music / singer", "topic_2: law / bill"]
    with pytest.raises(ValueError, match="3 topics but 2 labels"):
        score_csv_header(3, ["a", "b"])


def test_table_shows_title_date_and_source() -> None:
    rec = {**RECORD, "title": "Singer backs survivors", "date": "2018-10-14", "source": "Daily Wire"}
    lines = format_score_table(rec).splitlines()
    assert lines[1] == "  Singer backs survivors | 2018-10-14 | Daily Wire"


def test_score_summary_counts_each_stance() -> None:
    from collections import Counter

    from mtopics._output import format_score_summary

    line = format_score_summary(Counter({"against": 2, "none": 1, None: 4}), 7, 5)
    assert line == "scored 7 articles: favor 0, against 2, none 1, no stance 4; 5 with warnings"
