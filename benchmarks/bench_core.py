"""Speed and memory of the core job, side by side with plain gensim.

Measures, on this machine:

1. the default experiment end to end (``run_experiment`` on experiments/metoo_pk.toml);
2. loading a saved version (hash checks included) vs ``gensim.models.LdaModel.load``
   of the same topic model saved in gensim's own (pickle-based) format;
3. scoring one article of about 800 words once loaded (topics + stance + evidence; the
   sentence encoder's cache emptied before each call, so every passage is embedded as for a
   new article) vs gensim's ``get_document_topics`` on the same article (topics only), and
   ``mtopics score`` of that article as a command, in a new process each time;
4. peak training memory of the streamed LDA path as the number of streamed documents
   grows (same vocabulary), vs gensim fed an in-memory list of the same documents, and
   as K grows.

Run:  .venv/bin/python benchmarks/bench_core.py [--quick]
Writes benchmarks/results/core.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import mtopics  # noqa: E402


def provenance(command: str) -> dict:  # type: ignore[type-arg]
    """What a results file says of its run: date, mtopics version, command, argv, Python and machine."""
    import datetime
    import os

    return {
        "date": datetime.date.today().isoformat(),
        "mtopics_version": mtopics.__version__,
        "command": command,
        "argv": sys.argv,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
    }


def timed(fn, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def bench_train(repeat: int, models_dir: Path) -> tuple[dict, Path]:  # type: ignore[type-arg]
    config = mtopics.load_config(ROOT / "experiments" / "metoo_pk.toml")
    paths: list[Path] = []
    times = timed(lambda: paths.append(mtopics.run_experiment(config, models_dir=models_dir)), repeat)
    return {"runs": repeat, "median_s": statistics.median(times), "max_s": max(times)}, paths[-1]


def bench_load_and_score(version: Path, repeat: int) -> dict:  # type: ignore[type-arg]
    from gensim.corpora import Dictionary
    from gensim.models import LdaModel

    model = mtopics.load_model(version)
    load = timed(lambda: mtopics.load_model(version), repeat)
    # the same topic model in gensim's own format, for the peer numbers
    lda = model.lda
    dictionary = Dictionary([lda.terms_])
    id_order = [dictionary.token2id[t] for t in lda.terms_]
    gmodel = LdaModel(num_topics=lda.num_topics, id2word=dictionary, alpha=lda.alpha_, eta=lda.eta_)
    lam = lda.lambda_.copy()
    gmodel.state.sstats[:, id_order] = lam - lda.eta_
    gmodel.sync_state()
    with tempfile.TemporaryDirectory() as tmp:
        gpath = str(Path(tmp) / "lda.gensim")
        gmodel.save(gpath)
        gload = timed(lambda: LdaModel.load(gpath), repeat)
    sample = ROOT / "data" / "samples" / "hearing_adjourned.txt"
    text = sample.read_text(encoding="utf-8")
    words = len(text.split())
    encoder = model.stance._encoder() if model.stance is not None and model.stance.embeddings else None

    def score_new() -> None:
        # as for an article never seen: the sentence encoder's per-text cache is emptied first
        if encoder is not None:
            encoder._cache.clear()
        model.score([text])

    model.score([text])  # warm-up: loads the sentence model once, as the first article of a process does
    score = timed(score_new, repeat * 5)
    cli = timed(
        lambda: subprocess.run(
            [str(Path(sys.executable).with_name("mtopics")), "score", "--model", str(version), str(sample)],
            check=True,
            capture_output=True,
        ),
        3,
    )
    tokens = model.preprocessor.tokens(text)
    bow = dictionary.doc2bow(tokens)
    gscore = timed(lambda: gmodel.get_document_topics(bow, minimum_probability=0.0), repeat * 5)
    return {
        "load": {"runs": repeat, "median_s": statistics.median(load), "gensim_median_s": statistics.median(gload)},
        "score": {
            "words": words,
            "runs": repeat * 5,
            "median_s": statistics.median(score),
            "gensim_topics_only_median_s": statistics.median(gscore),
            "embeddings": encoder is not None,
        },
        "cli_score": {"runs": 3, "median_s": statistics.median(cli), "max_s": max(cli)},
    }


_CHILD = r"""
import sys, json, time, tracemalloc
sys.path.insert(0, {src!r})
from pathlib import Path
from mtopics import LdaTopicModel
from mtopics._experiment import TokenFile
import gensim.models, gensim.corpora
mode, path, k, chunk, init = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
tf = TokenFile(Path(path))
tracemalloc.start()
start = time.perf_counter()
corpus = tf if mode == "stream" else [d for d in tf]
LdaTopicModel(num_topics=k, passes=1, chunksize=chunk, no_below=2, no_above=0.5, random_state=0, init=init).fit(corpus)
seconds = time.perf_counter() - start
traced = tracemalloc.get_traced_memory()[1]
# VmHWM is this process's own peak: ru_maxrss would carry over the parent's peak through fork and exec
with open("/proc/self/status") as status:
    peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(json.dumps({{"training_mb": traced / 2**20, "peak_rss_mb": peak_kb / 1024, "seconds": seconds}}))
"""


def _lee_tokens() -> list[list[str]]:
    from gensim.parsing.preprocessing import STOPWORDS
    from gensim.test.utils import datapath
    from gensim.utils import simple_preprocess

    with open(datapath("lee_background.cor"), encoding="utf-8") as handle:
        return [[w for w in simple_preprocess(line) if w not in STOPWORDS] for line in handle]


def bench_memory(copies_list: list[int], ks: list[int], chunks: list[int]) -> list[dict]:  # type: ignore[type-arg]
    """Peak memory allocated while training LDA (tracemalloc: Python objects and numpy arrays),
    in a fresh process per run, on Lee's 300 articles repeated.

    ``init="random"`` isolates the streaming of the passes; the default NMF start
    (``init="nndsvd"``) adds the sparse TF-IDF matrix, which grows with the corpus."""
    from mtopics._experiment import TokenFile

    docs = _lee_tokens()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for copies in copies_list:
            files[copies] = TokenFile(Path(tmp) / f"tokens-{copies}.txt").write(d for _ in range(copies) for d in docs)
        code = _CHILD.format(src=str(ROOT / "src"))
        jobs = [("stream", c, ks[0], chunks[0], "random") for c in copies_list]
        jobs += [("stream", c, ks[0], chunks[0], "nndsvd") for c in copies_list]
        jobs += [("list", c, ks[0], chunks[0], "random") for c in copies_list[:-1]]
        jobs += [("stream", c, ks[0], chunk, "random") for chunk in chunks[1:] for c in copies_list]
        jobs += [("stream", copies_list[0], k, chunks[0], "random") for k in ks[1:]]
        for mode, copies, k, chunk, init in jobs:
            out = subprocess.run(
                [sys.executable, "-c", code, mode, str(files[copies].path), str(k), str(chunk), init],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            row = json.loads(out.strip().splitlines()[-1])
            row.update({"mode": mode, "documents": len(docs) * copies, "k": k, "chunksize": chunk, "init": init})
            rows.append(row)
            print(
                f"  memory: {mode:6s} init={init:6s} docs={row['documents']:6d} K={k:3d} chunk={chunk} "
                f"training peak {row['training_mb']:.1f} MB "
                f"(process peak RSS {row['peak_rss_mb']:.0f} MB)",
                file=sys.stderr,
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and smaller memory runs")
    parser.add_argument("--no-memory", action="store_true", help="skip the (slow) memory runs")
    args = parser.parse_args()
    copies = [1, 8] if args.quick else [1, 8, 32, 64]
    with tempfile.TemporaryDirectory() as tmp:
        train, version = bench_train(3, Path(tmp))
        load_score = bench_load_and_score(version, 20 if not args.quick else 5)
        # the same experiment with the n-gram stance classifier alone (`--set stance.embeddings=none`)
        config = mtopics.load_config(ROOT / "experiments" / "metoo_pk.toml", overrides=["stance.embeddings=none"])
        start = time.perf_counter()
        ngram_version = mtopics.run_experiment(config, models_dir=Path(tmp) / "ngrams")
        ngram_train = time.perf_counter() - start
        ngrams = bench_load_and_score(ngram_version, 20 if not args.quick else 5)
        ngrams["train_s"] = ngram_train
    out = ROOT / "benchmarks" / "results" / "core.json"
    if args.no_memory:  # keep the memory rows of the last full run
        memory = json.loads(out.read_text())["memory"] if out.exists() else []
    else:
        memory = bench_memory(copies, [10, 100] if args.quick else [10, 100, 400], [2000, 500])
    results = {
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpus": __import__("os").cpu_count(),
        },
        "train_default_experiment": train,
        **load_score,
        "without_embeddings": ngrams,
        "memory": memory,
    }
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    s, ld = results["score"], results["load"]
    print("| measure | mtopics | peer | ratio |")
    print("|---|---|---|---|")
    print(f"| default experiment, end to end (median of {train['runs']}) | {train['median_s']:.2f} s | - | - |")
    print(
        f"| load a version (median of {ld['runs']}) | {1000 * ld['median_s']:.1f} ms (hashes checked) | "
        f"{1000 * ld['gensim_median_s']:.1f} ms (`LdaModel.load`, topics only) | "
        f"{ld['median_s'] / ld['gensim_median_s']:.2f} |"
    )
    print(
        f"| score one {s['words']}-word article (median of {s['runs']}) | {1000 * s['median_s']:.1f} ms "
        f"(topics + stance + evidence) | {1000 * s['gensim_topics_only_median_s']:.2f} ms "
        f"(`get_document_topics`, topics only) | {s['median_s'] / s['gensim_topics_only_median_s']:.1f} |"
    )
    n = results["without_embeddings"]
    print(
        f"| the same without embeddings (`stance.embeddings=none`): train once, load, score, `mtopics score` | "
        f"{n['train_s']:.1f} s, {1000 * n['load']['median_s']:.1f} ms, {1000 * n['score']['median_s']:.1f} ms, "
        f"{n['cli_score']['median_s']:.2f} s | - | - |"
    )
    c = results["cli_score"]
    print(
        f"| `mtopics score` of the same article in a new process (median of {c['runs']}) | "
        f"{c['median_s']:.2f} s (start, load the version and the sentence model, score) | - | - |"
    )
    for row in memory:
        corpus = "streamed from disk (mtopics)" if row["mode"] == "stream" else "in-memory list (peer)"
        start = "NMF start" if row.get("init") == "nndsvd" else "random start"
        print(
            f"| training memory, LDA 1 pass, {corpus}, {start}, {row['documents']} docs, K={row['k']}, "
            f"chunksize {row['chunksize']} | "
            f"{row['training_mb']:.1f} MB | | |"
        )
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
