"""Stance evaluation: which data sources and features help, on real seed articles and SemEval.

1. Leave-one-article-out on the labelled seed passages (the only real, evaluated data):
   passage-level and article-level metrics, trained with and without each data source, with
   the default experiment's stance settings (experiments/metoo_pk.toml): its first row is
   what `mtopics run` stores in the manifest.
2. SemEval-2016 Task 6, target "Feminist Movement" (TweetEval split, read from
   ../shared/data/tweeteval-stance-feminist/): train on train, report on val
   (F_avg = mean F1 of favor and against, and macro-F1), with and without our own data,
   word n-grams alone, with character n-grams, and with sentence embeddings; plus 5-fold
   cross-validation on train.  If a ``test_*.txt`` split is present (it is held back from us),
   the classifiers are also trained on train + val and scored on it.

Nothing is tuned on the val split: on tweets the classifier's settings are the library defaults
(with ``embeddings="minilm"`` for the rows that say so, the default experiment's choice).
Rows with embeddings need ``pip install -e ".[embeddings]"``.

Run:  .venv/bin/python benchmarks/bench_stance.py [--quick]
Writes benchmarks/results/stance.json (stance_quick.json with --quick: the first two
leave-one-article-out rows, the default with and without embeddings, and one CV repeat) and
prints Markdown tables.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import numpy as np  # noqa: E402

import mtopics  # noqa: E402
from mtopics._experiment import (  # noqa: E402
    _article_texts_for_eval,
    _preprocessor,
    _stance_factory,
    _stance_fit_params,
)

SEMEVAL = ROOT.parent / "shared" / "data" / "tweeteval-stance-feminist"
SEMEVAL_LABELS = {"0": "none", "1": "against", "2": "favor"}


def semeval(split: str) -> list[mtopics.LabelledExample]:
    texts = (SEMEVAL / f"{split}_text.txt").read_text(encoding="utf-8").splitlines()
    labels = (SEMEVAL / f"{split}_labels.txt").read_text(encoding="utf-8").split()
    return [
        mtopics.LabelledExample(f"{split}:{i}", t.replace("#SemST", ""), SEMEVAL_LABELS[y], source="semeval")
        for i, (t, y) in enumerate(zip(texts, labels, strict=True))
    ]


def ours(config: mtopics.ExperimentConfig) -> dict[str, list[mtopics.LabelledExample]]:
    out = {}
    for src in config["stance.sources"]:
        path = config.resolve_path(src["path"])
        out[path.name] = list(
            mtopics.iter_labelled(path, group_field=src["group_field"], evaluate=src["evaluate"], source=path.name)
        )
    return out


ENCODER = mtopics.SentenceEncoder("minilm")  # one cache for every classifier of the benchmark


def make(char: bool = True, emb: bool = False):  # type: ignore[no-untyped-def]
    return lambda: mtopics.StanceClassifier(
        char_ngram_range=(2, 5) if char else None, embeddings="minilm" if emb else None, encoder=ENCODER
    )


def features(char: bool, emb: bool) -> str:
    return "word" + ("+char" if char else "") + ("+emb" if emb else "")


def loao(config, sources, names, char=True, priors=True, emb=True):  # type: ignore[no-untyped-def]
    """Leave-one-article-out as the experiment runs it (same classifier, article model and seeds)."""
    pre = _preprocessor(config)
    configured = _stance_factory(config, pre.cleaner)

    def make_classifier():  # type: ignore[no-untyped-def]
        clf = configured()
        if not char:
            clf.char_ngram_range = None
        if not emb:
            clf.embeddings = None
        return clf

    params = _stance_fit_params(config)
    if not priors:
        params["priors"] = None
    examples = [e for name in names for e in sources[name]]
    start = time.perf_counter()
    result = mtopics.cross_validate_articles(
        examples, make_classifier, pre, _article_texts_for_eval(config), n_jobs=config["stance.n_jobs"] or 1, **params
    )
    p, a = result["passage"], result["article"]
    return {
        "training": names,
        "features": features(char, emb and config["stance.embeddings"] != "none"),
        "priors": params["priors"],
        "passage": {k: p[k] for k in ("n", "macro_f1", "f_avg", "labels_evaluated", "confusion", "calibration")},
        "article": {k: a[k] for k in ("n", "macro_f1", "f_avg", "articles")},
        "seconds": round(time.perf_counter() - start, 1),
    }


def semeval_eval(extra, char=True, emb=False, train=("train",), test="val"):  # type: ignore[no-untyped-def]
    val = semeval(test)
    examples = [e for split in train for e in semeval(split)] + [e for e in extra if e.kind != "article"]
    clf = make(char, emb)().fit([e.text for e in examples], [e.label for e in examples])
    report = mtopics.stance_report([e.label for e in val], clf.predict([e.text for e in val]))
    return {"n_train": len(examples), "n_val": report["n"], "f_avg": report["f_avg"], "macro_f1": report["macro_f1"]}


def semeval_cv(char: bool, seeds: int, emb: bool = False) -> dict:  # type: ignore[type-arg]
    train = semeval("train")
    texts, labels = [e.text for e in train], [e.label for e in train]
    scores = []
    for seed in range(seeds):
        r = mtopics.cross_validate_stance(
            make(char, emb), texts, labels, evaluate=[True] * len(texts), folds=5, random_state=seed
        )
        scores.append(r["f_avg"])
    return {
        "n": len(texts),
        "folds": 5,
        "repeats": seeds,
        "f_avg_mean": float(np.mean(scores)),
        "f_avg_std": float(np.std(scores, ddof=1)) if len(scores) > 1 else 0.0,  # across repeats
    }


def _softmax(d: np.ndarray) -> np.ndarray:
    e = np.exp(d - d.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def semeval_calibration() -> dict:  # type: ignore[type-arg]
    """Out-of-fold probabilities on SemEval train (5-fold) and train -> val, three ways.

    "logistic regression" is the uncalibrated softmax of the classifier's own scores (the
    temperature classifier's decision function); "temperature" (the default) and "sigmoid" are
    the two calibrations offered.
    """
    from sklearn.model_selection import StratifiedKFold

    train, val = semeval("train"), semeval("val")
    texts, labels = [e.text for e in train], [e.label for e in train]
    y = np.asarray(labels, dtype=object)
    names = ("logistic regression", "temperature", "sigmoid", "temperature, with embeddings")
    oof = {name: np.zeros((len(y), 3)) for name in names}
    held = {}
    val_texts, val_labels = [e.text for e in val], [e.label for e in val]
    for tr, te in [*StratifiedKFold(5, shuffle=True, random_state=0).split(texts, y), (None, None)]:
        # the four folds, then (None) the model trained on all of train, scored on val
        fit_texts, fit_labels = (texts, labels) if tr is None else ([texts[i] for i in tr], list(y[tr]))
        temp = mtopics.StanceClassifier().fit(fit_texts, fit_labels)
        sig = mtopics.StanceClassifier(calibration="sigmoid").fit(fit_texts, fit_labels)
        emb = make(True, True)().fit(fit_texts, fit_labels)
        scored = val_texts if tr is None else [texts[i] for i in te]
        proba = {
            "logistic regression": _softmax(temp.decision_function(scored)),
            "temperature": temp.predict_proba(scored),
            "sigmoid": sig.predict_proba(scored),
            "temperature, with embeddings": emb.predict_proba(scored),
        }
        for name in names:
            if tr is None:
                held[name] = proba[name]
            else:
                oof[name][te] = proba[name]
    out = {}
    for name in oof:
        for split, truth, proba in (("cv on train", labels, oof[name]), ("train -> val", val_labels, held[name])):
            pred = [mtopics.STANCE_LABELS[i] for i in np.argmax(proba, axis=1)]
            cal = mtopics.calibration_report(truth, proba)
            out[f"{split}, {name}"] = {
                "n": cal["n"],
                "f_avg": mtopics.stance_report(truth, pred)["f_avg"],
                **{k: cal[k] for k in ("brier", "log_loss", "ece")},
            }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer configurations")
    args = parser.parse_args()
    config = mtopics.load_config(ROOT / "experiments" / "metoo_pk.toml")
    sources = ours(config)
    seed, a, b = "seed_passages.jsonl", "team_written_a.jsonl", "team_written_b.jsonl"
    sets = {x: [f"team_written_paragraphs_{x}.jsonl", f"team_written_articles_{x}.jsonl"] for x in "cde"}
    team = {"A": [a], "B": [b], **{x.upper(): names for x, names in sets.items()}}
    everything = [seed, *(n for names in team.values() for n in names)]
    results: dict = {"loao": [], "semeval": {}}  # type: ignore[type-arg]
    have_semeval = SEMEVAL.is_dir()
    if have_semeval:
        sources["semeval-train"] = semeval("train")
    # everything, then everything but one team-written set at a time
    runs = [
        ("seeds + A-E (default)", everything, True, True, True),
        ("seeds + A-E", everything, True, True, False),
        ("seeds + A-E, equal priors", everything, True, False, True),
        ("seeds + A-E", everything, False, True, True),
    ]
    runs += [(f"seeds + A-E without {x}", [n for n in everything if n not in team[x]], True, True, True) for x in team]
    if have_semeval and not args.quick:
        runs += [
            ("seeds + A-E + SemEval tweets", [*everything, "semeval-train"], True, True, True),
            ("seeds + SemEval tweets", [seed, "semeval-train"], True, True, True),
        ]
    for name, names, char, priors, emb in runs if not args.quick else runs[:2]:
        row = {"name": name, **loao(config, sources, names, char, priors, emb)}
        results["loao"].append(row)
        print(
            f"  LOAO {name} {row['features']}: passage macro-F1 {row['passage']['macro_f1']:.3f}, "
            f"article macro-F1 {row['article']['macro_f1']:.3f} ({row['seconds']} s)",
            file=sys.stderr,
        )
    if have_semeval:
        own = [e for name in everything for e in sources[name]]
        repeats = 1 if args.quick else 10
        results["semeval"] = {
            "tweets, word+char+emb": semeval_eval([], True, True),
            "tweets, word+char": semeval_eval([], True),
            "tweets, word only": semeval_eval([], False),
            "tweets + our data, word+char+emb": semeval_eval(own, True, True),
            "tweets + our data, word+char": semeval_eval(own, True),
            "cv on train, word+char+emb": semeval_cv(True, repeats, emb=True),
            "cv on train, word+char": semeval_cv(True, repeats),
            "cv on train, word only": semeval_cv(False, repeats),
        }
        if (SEMEVAL / "test_text.txt").is_file():  # held back from the team: only whoever has it
            for emb in (True, False):
                results["semeval"][f"train+val -> test, {features(True, emb)}"] = semeval_eval(
                    [], True, emb, train=("train", "val"), test="test"
                )
        results["calibration"] = semeval_calibration()
    out = ROOT / "benchmarks" / "results" / ("stance_quick.json" if args.quick else "stance.json")
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print("| training data | features | passages: n | macro-F1 | F_avg | articles: n | macro-F1 | correct |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results["loao"]:
        p, art = r["passage"], r["article"]
        correct = sum(x["label"] == x["predicted"] for x in art["articles"])
        print(
            f"| {r['name']} | {r['features']} | {p['n']} | {p['macro_f1']:.3f} | {p['f_avg']:.3f} "
            f"| {art['n']} | {art['macro_f1']:.3f} | {correct}/{art['n']} |"
        )
    if results["semeval"]:
        print("\n| SemEval Feminist Movement | train n | eval n | F_avg | macro-F1 |")
        print("|---|---|---|---|---|")
        for name, r in results["semeval"].items():
            if "f_avg" in r:
                setting = name if "->" in name else f"train -> val, {name}"
                print(
                    f"| {setting} | {r['n_train']} | {r['n_val']} | {100 * r['f_avg']:.1f} "
                    f"| {100 * r['macro_f1']:.1f} |"
                )
            else:
                print(
                    f"| 5-fold CV x{r['repeats']} on train, {name.split(', ')[1]} | {r['n']} | {r['n']} | "
                    f"{100 * r['f_avg_mean']:.1f} ± {100 * r['f_avg_std']:.1f} | - |"
                )
    print("\n| probabilities | examples | n | F_avg | Brier | log loss | ECE |")
    print("|---|---|---|---|---|---|---|")
    cal = results["loao"][0]["passage"]["calibration"]
    f_avg = results["loao"][0]["passage"]["f_avg"]
    print(
        "| default experiment (temperature, with embeddings) | seed passages, leave one article out "
        f"| {cal['n']} | {100 * f_avg:.1f} | {cal['brier']:.3f} | {cal['log_loss']:.3f} | {cal['ece']:.3f} |"
    )
    for name, r in results.get("calibration", {}).items():
        split, how = name.split(", ", 1)
        print(
            f"| {how} | SemEval, {split} | {r['n']} | {100 * r['f_avg']:.1f} | {r['brier']:.3f} "
            f"| {r['log_loss']:.3f} | {r['ece']:.3f} |"
        )
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
