"""``mtopics init NAME --corpus PATH``: write a checked experiment config for your own corpus."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from .._corpus import FORMATS
from .._scaffold import init_experiment


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "init",
        help="write an experiment config for your own corpus (then: mtopics run CONFIG)",
        description="Write an experiment config that trains topics on your corpus and stance on the labelled "
        "data shipped with mtopics, copied from the default experiment with every path made relative to the new "
        "file. The corpus and the labelled data are read before the file is written, so a config that init writes "
        "runs. Prints the path of the config.",
    )
    p.add_argument("name", help="experiment name; models go to <models-dir>/NAME/v<N>")
    p.add_argument(
        "--corpus",
        required=True,
        help="folder of .txt files, or a .txt (one article per line), .jsonl or .csv file (text; and id, title, "
        "date, source when it has them)",
    )
    p.add_argument("-o", "--output", help="config to write (default: experiments/NAME.toml, or NAME.toml)")
    p.add_argument("--format", default="auto", choices=FORMATS, help="how to read the corpus (default: by extension)")
    p.add_argument("--text-field", default="text", help="field with the text in JSONL and CSV (default: text)")
    p.add_argument("--template", help="config to copy (default: the repository's experiments/metoo_pk.toml)")
    p.add_argument("--force", action="store_true", help="replace an existing config")
    p.set_defaults(func=run, log_level=logging.WARNING)


def run(args: argparse.Namespace) -> int:
    path = init_experiment(
        args.name,
        args.corpus,
        args.output,
        format=args.format,
        text_field=args.text_field,
        template=args.template,
        overwrite=args.force,
    )
    print(path)
    logging.getLogger("mtopics").warning("wrote %s; train it with: mtopics run %s", path, path)
    return 0
