"""Scoring speed of one ~800-word article by stance embeddings: MiniLM, minilm-static, none (issue 12, item 4).

Issue 12 asks that scoring an 800-word article take at most 50 ms on 2 cores. This benchmark trains
the default experiment (experiments/metoo_pk.toml) four times with ``run_experiment``, differing
only in ``[stance]`` embedding settings (``VARIANTS``):

* ``minilm-static`` pooled mean-max-min, embedding C 10 (the default): static token vectors
  distilled from MiniLM (:class:`mtopics.StaticEncoder`);
* ``minilm`` pooled mean-max (issue 12's first default): all-MiniLM-L6-v2 on every stance unit of
  the article;
* ``minilm`` pooled by the mean (0.5.0's): the same transformer, its own sentence vectors;
* ``none``: word and character n-grams only.

Then, for each saved version, side by side in one run:

1. ``load_model`` (hash checks of every file included; the static version holds a 7.8 MB table);
2. ``model.score([text])`` on data/samples/hearing_adjourned.txt (topics + stance + evidence), as for
   an article never seen: the MiniLM encoder's per-text cache is emptied before each call and its
   cache on disk is not read (it holds this sample's vectors from earlier runs). The
   variants are timed in turns (one call of each per round, ``--rounds`` rounds), so a slower
   second of the machine falls on each alike; median and minimum;
3. ``mtopics score --model VERSION sample`` as a command, in a new process (imports included),
   with ``MTOPICS_CACHE_DIR=off``, median of 3.

Ratios are to the default. Training reads the labelled data's sentence vectors and the static table
from the cache on disk when there (``MTOPICS_CACHE_DIR``): the training times are those of a
later run, not of a first one (benchmarks/bench_train.py has both).

Run (from the project folder; about 5 minutes on the 2-core development machine, most of it the
four trainings):

    .venv/bin/python benchmarks/bench_score.py

Writes benchmarks/results/score.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import mtopics  # noqa: E402
from bench_core import provenance, timed  # noqa: E402
from dev_articles import MEAN, MEAN_MAX, STATIC_FAST  # noqa: E402

#: name -> --set overrides of the default experiment; the first is the default, the base of the ratios
VARIANTS = {
    "minilm-static mean-max-min, C 10 (default)": STATIC_FAST,
    "minilm mean-max": MEAN_MAX,
    "minilm mean (0.5.0)": MEAN,
    "none": ["stance.embeddings=none"],
}
DEFAULT = next(iter(VARIANTS))
SAMPLE = ROOT / "data" / "samples" / "hearing_adjourned.txt"
OUT = ROOT / "benchmarks" / "results" / "score.json"
COMMAND = ".venv/bin/python benchmarks/bench_score.py"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50, help="timed calls of score per variant")
    args = parser.parse_args()
    text = SAMPLE.read_text(encoding="utf-8")
    results: dict[str, Any] = {
        **provenance(COMMAND),
        "sample": {"path": str(SAMPLE.relative_to(ROOT)), "words": len(text.split())},
        "load_average_at_start": [round(v, 2) for v in os.getloadavg()],
        "variants": {},
    }
    with tempfile.TemporaryDirectory() as tmp:
        models: dict[str, Any] = {}
        versions: dict[str, Path] = {}
        for name, overrides in VARIANTS.items():
            config = mtopics.load_config(ROOT / "experiments" / "metoo_pk.toml", overrides=overrides)
            start = time.perf_counter()
            versions[name] = mtopics.run_experiment(config, models_dir=Path(tmp) / f"v{len(versions)}")
            train = time.perf_counter() - start
            load = timed(lambda v=versions[name]: mtopics.load_model(v), 10)
            models[name] = mtopics.load_model(versions[name])
            encoder = models[name].stance._encoder() if models[name].stance.embeddings else None
            if isinstance(encoder, mtopics.SentenceEncoder):
                encoder._disk = None  # a new article's vectors are on no disk: never read them from the cache
            models[name].score([text])  # warm-up: loads the sentence model or the tokenizer once
            files = sorted((versions[name] / "stance").glob("*.npy"))
            results["variants"][name] = {
                "train_s": round(train, 1),
                "load_median_ms": round(1000 * statistics.median(load), 1),
                "stance_files_bytes": sum(f.stat().st_size for f in files),
                "units": models[name].score([text])[0]["passages"],
            }
            print(f"  trained and loaded {name} in {train:.1f} s", file=sys.stderr)
        times: dict[str, list[float]] = {name: [] for name in VARIANTS}
        for _ in range(args.rounds):
            for name in VARIANTS:
                model = models[name]
                encoder = model.stance._encoder() if model.stance is not None and model.stance.embeddings else None
                if isinstance(encoder, mtopics.SentenceEncoder):
                    encoder._cache.clear()  # as for an article never seen
                start = time.perf_counter()
                model.score([text])
                times[name].append(time.perf_counter() - start)
        command = str(Path(sys.executable).with_name("mtopics"))
        no_cache = {**os.environ, "MTOPICS_CACHE_DIR": "off"}  # as for a new article
        for name in VARIANTS:
            cli = timed(
                lambda v=versions[name]: subprocess.run(
                    [command, "score", "--model", str(v), str(SAMPLE)], check=True, capture_output=True, env=no_cache
                ),
                3,
            )
            entry = results["variants"][name]
            entry["score_median_ms"] = round(1000 * statistics.median(times[name]), 1)
            entry["score_min_ms"] = round(1000 * min(times[name]), 1)
            entry["score_runs"] = args.rounds
            entry["cli_median_s"] = round(statistics.median(cli), 2)
    results["load_average_at_end"] = [round(v, 2) for v in os.getloadavg()]
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    base = results["variants"][DEFAULT]
    words = results["sample"]["words"]
    print(f"Scoring {SAMPLE.name} ({words} words); load average {results['load_average_at_start'][0]} at the start\n")
    print("| stance embeddings | `score` median (min) | ratio | load a version | `mtopics score` command | training |")
    print("|---|---|---|---|---|---|")
    for name in VARIANTS:
        v = results["variants"][name]
        print(
            f"| {name} | {v['score_median_ms']} ms ({v['score_min_ms']}) "
            f"| {v['score_median_ms'] / base['score_median_ms']:.2f} | {v['load_median_ms']} ms "
            f"| {v['cli_median_s']} s | {v['train_s']} s |"
        )
    print(f"\nwritten to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
