"""``mtopics evaluate``: stance metrics of a saved model on a labelled file."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

from .._corpus import ENCODING_HELP, check_encoding
from .._labelled import iter_labelled, load_labelled_folder
from .._model import load_model


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "evaluate",
        help="stance metrics of a saved model on labelled data",
        description="Score every example of labelled data with a saved model and print macro-F1, F_avg, "
        "per-class F1, the calibration of the probabilities (Brier score, log loss, ECE) and the confusion "
        "matrix. DATA is a CSV or JSONL file (fields `text` and `label`: favor, "
        "against, none) or a folder of .txt articles with a labels.csv/labels.jsonl (fields `id` = file name, "
        "`label`). Each example is scored as an article (its passages combined; one that uses none of the "
        "model's target terms is none, and their number is printed), or as one passage with --level passage.",
    )
    p.add_argument("data", help="labelled CSV or JSONL file, or a folder of .txt files with labels.csv")
    p.add_argument(
        "--labels", help="label file for a folder (default: labels.csv, labels.jsonl or labels.tsv inside it)"
    )
    p.add_argument("--model", required=True, help="version folder, or <models-dir>/<experiment>/latest")
    p.add_argument("--level", choices=("article", "passage"), default="article")
    p.add_argument("--text-field", default="text")
    p.add_argument("--label-field", default="label")
    p.add_argument("--encoding", default="auto", help=f"encoding of DATA: {ENCODING_HELP} (default: auto)")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.set_defaults(func=run, log_level=logging.WARNING)


def run(args: argparse.Namespace) -> int:
    check_encoding(args.encoding)
    model = load_model(args.model)
    if Path(args.data).is_dir():
        examples = load_labelled_folder(args.data, args.labels, encoding=args.encoding)
    else:
        examples = list(
            iter_labelled(args.data, text_field=args.text_field, label_field=args.label_field, encoding=args.encoding)
        )
    report = model.evaluate_stance([e.text for e in examples], [e.label for e in examples], level=args.level)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"{args.data}: {report['n']} examples, {args.level} level, model {model.path}")
    print(f"macro-F1 {report['macro_f1']:.3f}   F_avg {report['f_avg']:.3f}   accuracy {report['accuracy']:.3f}")
    for label, row in report["per_class"].items():
        f1 = "  -  " if row["f1"] is None else f"{row['f1']:.3f}"  # None: label neither true nor predicted
        print(
            f"  {label:8s} F1 {f1}  precision {row['precision']:.3f}  recall {row['recall']:.3f}  "
            f"support {row['support']}"
        )
    print(f"averages over: {', '.join(report['labels_evaluated'])}")
    if report["empty"]:
        print(f"empty: {report['empty']} of {report['n']} have no words left after cleaning (scored none)")
    if report["off_target"]:
        print(f"off target: {report['off_target']} of {report['n']} use none of the model's target terms (scored none)")
    cal = report["calibration"]
    if cal["n"]:
        # empty and off-target examples are none by rule, not by a probability: left out of calibration
        which = f" (the {cal['n']} the classifier scored)" if cal["n"] < report["n"] else ""
        print(
            f"probabilities{which}: Brier {cal['brier']:.3f}   log loss {cal['log_loss']:.3f}   "
            f"ECE {cal['ece']:.3f}   (0 is perfect; equal shares give Brier 0.667)"
        )
    labels = report["confusion"]["labels"]
    print("confusion (rows: true, columns: predicted)")
    print("  " + " " * 9 + " ".join(f"{lab:>8s}" for lab in labels))
    for lab, row in zip(labels, report["confusion"]["matrix"], strict=True):
        print(f"  {lab:9s}" + " ".join(f"{v:8d}" for v in row))
    return 0
