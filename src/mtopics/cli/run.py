"""``mtopics run CONFIG``: train an experiment and save a new model version."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from .._config import load_config
from .._experiment import check_data, describe_data, run_experiment


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "run",
        help="train an experiment config and save a new model version",
        description="Train topics and stance as a config says, evaluate them and save a new version "
        "<models-dir>/<name>/v<N>. Progress goes to standard error; the last line of standard output "
        "is the path of the new version.",
    )
    p.add_argument("config", help="experiment config (TOML), e.g. experiments/metoo_pk.toml")
    p.add_argument("--models-dir", default="models", help="root of the model store (default: models)")
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config key, e.g. --set lda.num_topics=12 (repeatable)",
    )
    p.add_argument(
        "--check",
        action="store_true",
        help="only check the config: its keys and values, and that every file it names exists and reads (the whole "
        "corpus, the labelled data, the article labels); print it resolved and what the data hold",
    )
    p.set_defaults(func=run, log_level=logging.INFO)


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config, overrides=args.overrides)
    config.check_paths()
    if args.check:
        import json

        found = check_data(config)
        print(json.dumps(config.to_dict(), indent=2, ensure_ascii=False))
        print(f"{args.config}: ok; {describe_data(found)}")
        return 0
    path = run_experiment(config, models_dir=args.models_dir)
    print(path)
    return 0
