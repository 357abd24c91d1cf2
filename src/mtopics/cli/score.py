"""``mtopics score``: topics and stance of new articles with a saved model."""

from __future__ import annotations

import argparse
import csv
import logging
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .._corpus import ENCODING_HELP, LoadReport, _decode, check_encoding, iter_documents
from .._model import MtopicsModel, document_meta, load_model
from .._output import format_jsonl, format_score_summary, format_score_table, score_csv_header, score_csv_row
from ..exceptions import CorpusError


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "score",
        help="score articles: topic mixture and stance with evidence",
        description="Score articles with a saved model version. INPUT is a text file (one article), a folder of "
        ".txt files, a .jsonl or .csv file with a `text` field, or - for standard input. Output: one JSON "
        "object per article (id, topics, stance, passages, tokens, warnings; title, date, source when a record "
        "has them), a CSV table with one row per "
        "article, or a table for people.",
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="file, folder or - (standard input)")
    p.add_argument("--model", required=True, help="version folder, or <models-dir>/<experiment>/latest")
    p.add_argument(
        "--format",
        choices=("jsonl", "csv", "table"),
        default="jsonl",
        help="output format: JSON lines, CSV (a header, then one row per article: stance, its probabilities, "
        "warnings and the weight of every topic) or a table for people (default: jsonl)",
    )
    p.add_argument(
        "--input-format",
        choices=("auto", "text", "lines", "jsonl", "csv"),
        default="auto",
        help="how to read INPUT files (default: by extension; a folder is always read as .txt files)",
    )
    p.add_argument("--encoding", default="auto", help=f"encoding of the INPUT files: {ENCODING_HELP} (default: auto)")
    p.set_defaults(func=run, log_level=logging.WARNING)


_SKIPS = (
    ("skipped_binary", "binary file skipped"),
    ("skipped_empty", "empty input skipped"),
    ("skipped_invalid", "invalid record skipped"),
)


def _new_skips(report: LoadReport, seen: dict[str, int]) -> list[tuple[str, str]]:
    """Skips reported since the last call (``seen`` counts what each list already gave)."""
    items = []
    for attr, why in _SKIPS:
        entries = getattr(report, attr)
        items += [(where, why) for where in entries[seen.get(attr, 0) :]]
        seen[attr] = len(entries)
    return items


def _records(
    model: MtopicsModel, inputs: list[str], input_format: str, encoding: str = "auto"
) -> Iterator[dict[str, Any]]:
    for name in inputs:
        if name == "-":
            stdin_report = LoadReport()
            text = _decode(sys.stdin.buffer.read(), "-", stdin_report, encoding)
            yield model.score_one("-", text, stdin_report.warnings_for("-"))
            continue
        path = Path(name)
        report = LoadReport()
        fmt = "folder" if path.is_dir() else input_format
        seen: dict[str, int] = {}
        for doc in iter_documents(path, format=fmt, report=report, errors="skip", encoding=encoding):
            for where, why in _new_skips(report, seen):
                yield _empty_record(where, why, path)
            yield model.score_one(doc.id, doc.text, report.warnings_for(doc.origin), meta=document_meta(doc))
        for where, why in _new_skips(report, seen):
            yield _empty_record(where, why, path)


def _empty_record(where: str, why: str, root: Path) -> dict[str, Any]:
    """A record for an input that could not be scored, so that nothing vanishes from the output."""
    place = Path(where)
    if root.is_dir() and place.is_relative_to(root):
        doc_id = place.relative_to(root).as_posix()  # the id a scored file of the folder would get
    elif ":" in place.name:
        doc_id = place.name  # <file>:<line> of a record
    else:
        doc_id = place.name
    return {
        "id": doc_id,
        "topics": [],
        "stance": None,
        "passages": 0,
        "tokens": 0,
        "warnings": [f"{why}: {where}"],
    }


#: On a terminal, a progress line on standard error every this many articles.
PROGRESS_EVERY = 200


def run(args: argparse.Namespace) -> int:
    check_encoding(args.encoding)
    model = load_model(args.model)
    # every input must exist before anything is written: no half output for a typo in the last name
    missing = [name for name in args.inputs if name != "-" and not Path(name).exists()]
    if missing:
        raise CorpusError(f"{', '.join(missing)}: no such file or folder")
    count = warned = 0
    stances: Counter[str | None] = Counter()
    progress = sys.stderr.isatty() and not args.quiet
    num_topics = model.lda.num_topics
    writer = csv.writer(sys.stdout, lineterminator="\n")
    if args.format == "csv":
        writer.writerow(score_csv_header(num_topics, [t["label"] for t in model.topic_info]))
    for record in _records(model, args.inputs, args.input_format, args.encoding):
        count += 1
        warned += bool(record["warnings"])
        stances[record["stance"]["label"] if record["stance"] else None] += 1
        if args.format == "jsonl":
            print(format_jsonl(record), flush=False)
        elif args.format == "csv":
            writer.writerow(score_csv_row(record, num_topics))
        else:
            print(format_score_table(record))
            print()
        if progress and count % PROGRESS_EVERY == 0:
            print(f"\rmtopics: scored {count} articles ({warned} with warnings)", end="", file=sys.stderr, flush=True)
    sys.stdout.flush()
    if progress and count >= PROGRESS_EVERY:
        print(file=sys.stderr)
    if not args.quiet:  # the tally ends every run, whatever the output format (it goes to standard error)
        print(f"mtopics: {format_score_summary(stances, count, warned)} (model {model.path})", file=sys.stderr)
    return 0
