"""``mtopics score``: topics and stance of new articles with a saved model."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .._corpus import LoadReport, iter_documents
from .._model import MtopicsModel, load_model
from .._output import format_jsonl, format_score_table
from ..exceptions import CorpusError


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "score",
        help="score articles: topic mixture and stance with evidence",
        description="Score articles with a saved model version. INPUT is a text file (one article), a folder of "
        ".txt files, a .jsonl or .csv file with a `text` field, or - for standard input. Output: one JSON "
        "object per article (id, topics, stance, passages, tokens, warnings), or a table for people.",
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="file, folder or - (standard input)")
    p.add_argument("--model", required=True, help="version folder, or <models-dir>/<experiment>/latest")
    p.add_argument("--format", choices=("jsonl", "table"), default="jsonl", help="output format (default: jsonl)")
    p.add_argument(
        "--input-format",
        choices=("auto", "text", "lines", "jsonl", "csv"),
        default="auto",
        help="how to read INPUT files (default: by extension; a folder is always read as .txt files)",
    )
    p.set_defaults(func=run, log_level=logging.WARNING)


def _skipped(report: LoadReport, seen: int) -> list[tuple[str, str]]:
    items = [(where, "binary file skipped") for where in report.skipped_binary]
    items += [(where, "empty input skipped") for where in report.skipped_empty]
    items += [(where, "invalid record skipped") for where in report.skipped_invalid]
    return items[seen:]


def _records(model: MtopicsModel, inputs: list[str], input_format: str) -> Iterator[dict[str, Any]]:
    for name in inputs:
        if name == "-":
            raw = sys.stdin.buffer.read()
            text = raw.decode("utf-8", errors="replace")
            warnings = (
                ["not valid UTF-8: undecodable bytes replaced"]
                if "\ufffd" in text and b"\xef\xbf\xbd" not in raw
                else []
            )
            yield model.score_one("-", text, warnings)
            continue
        path = Path(name)
        if not path.exists():
            raise CorpusError(f"{path}: no such file or folder")
        report = LoadReport()
        fmt = "folder" if path.is_dir() else input_format
        flushed = 0
        for doc in iter_documents(path, format=fmt, report=report, errors="skip"):
            for where, why in _skipped(report, flushed):
                flushed += 1
                yield _empty_record(where, why)
            warnings = [
                f"not valid UTF-8: {n} undecodable bytes replaced"
                for where, n in report.replaced.items()
                if where == doc.origin
            ]
            yield model.score_one(doc.id, doc.text, warnings)
        for where, why in _skipped(report, flushed):
            flushed += 1
            yield _empty_record(where, why)


def _empty_record(where: str, why: str) -> dict[str, Any]:
    return {
        "id": Path(where).name if ":" not in Path(where).name else where,
        "topics": [],
        "stance": None,
        "passages": 0,
        "tokens": 0,
        "warnings": [f"{why}: {where}"],
    }


def run(args: argparse.Namespace) -> int:
    model = load_model(args.model)
    count = warned = 0
    for record in _records(model, args.inputs, args.input_format):
        count += 1
        warned += bool(record["warnings"])
        if args.format == "jsonl":
            print(format_jsonl(record), flush=False)
        else:
            print(format_score_table(record))
            print()
    sys.stdout.flush()
    logging.getLogger("mtopics").info("scored %d articles (%d with warnings) with %s", count, warned, model.path)
    return 0
