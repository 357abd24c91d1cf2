"""Tests of mtopics._output: the readable renderings."""

from __future__ import annotations

import json
from pathlib import Path

from mtopics._output import format_jsonl, format_score_table, format_versions
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
                "stance": {"macro_f1": 0.5, "f_avg": 0.4},
            },
        },
    )
    text = format_versions([info], latest=["models/metoo_pk/v3"])
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
    assert format_versions([]) == "no model versions"
