"""``mtopics report MODEL``: a self-contained HTML report of a model, and PNG charts."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from .._model import load_model
from .._report import default_report_name, write_report
from ..exceptions import ReportError


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "report",
        help="write an HTML report of a model (topics, terms, passages, metrics, stance by topic)",
        description="Write one self-contained HTML file about a saved model version: metrics, the K sweep, "
        "topic prevalence, each topic's label, top terms and typical passages, topics across the training "
        "articles and stance by topic. It opens in any browser, without network access. MODEL is a version "
        "folder, <models-dir>/<experiment>/latest or the experiment folder. The paths written are printed.",
    )
    p.add_argument("model", metavar="MODEL", help="version folder, or <models-dir>/<experiment>/latest")
    p.add_argument(
        "-o",
        "--output",
        help="HTML file to write (default: <experiment>-<version>-report.html in the current folder)",
    )
    p.add_argument(
        "--png",
        metavar="DIR",
        help='also write PNG charts for papers into DIR (needs matplotlib: pip install "mtopics[report]")',
    )
    p.add_argument("--dpi", type=int, default=200, help="resolution of the PNG charts (default: 200)")
    p.set_defaults(func=run, log_level=logging.WARNING)


def run(args: argparse.Namespace) -> int:
    model = load_model(args.model)
    output = Path(args.output) if args.output else Path(default_report_name(model))
    try:
        written = write_report(model, output, png_dir=args.png, dpi=args.dpi)
    except ReportError as exc:  # a place we refuse to write to: bad input, like a missing model
        print(f"mtopics: error: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0
