"""Training time of the default experiment, side by side with an earlier release (0.5.0 by default).

Each run is what a user types, ``python -m mtopics run experiments/metoo_pk.toml``, in a new
process, timed from start to exit. The earlier release is taken from git (``git archive`` of
``--baseline``, 0.5.0's commit by default) into a temporary folder and run from there with
the same Python and packages. Runs alternate (baseline, then this checkout with an empty
sentence-vector cache, then this checkout with the vectors cached by the run before), so that
a slower minute of the machine falls on every variant alike.

- **this checkout, first run**: ``MTOPICS_CACHE_DIR`` is a new empty folder, so every
  passage is embedded, as on the first run on a machine;
- **this checkout, cached**: the cache filled by that run (what every later training of the
  same labelled data gets: the passages embedded are those of the labelled stance data, not
  of your corpus);
- **baseline**: 0.5.0 had no cache on disk; it embeds every passage on every run.

Run:  .venv/bin/python benchmarks/bench_train.py [--rounds 3] [--baseline c1e84d5]
Writes benchmarks/results/train.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = "experiments/metoo_pk.toml"
#: mtopics 0.5.0, the last release before the training-time work of issue 13
BASELINE = "c1e84d5"


def export(ref: str, dest: Path) -> None:
    """The tree of ``ref`` in ``dest`` (``git archive``; nothing of this checkout is touched)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)


def train_once(tree: Path, models: Path, cache: Path) -> dict[str, float | str]:
    """One ``mtopics run`` of the default experiment of ``tree`` in a new process."""
    env = dict(os.environ, PYTHONPATH=str(tree / "src"), MTOPICS_CACHE_DIR=str(cache))
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "mtopics", "run", CONFIG, "--models-dir", str(models)],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"mtopics run in {tree} failed:\n{done.stderr[-2000:]}")
    version = done.stdout.strip().splitlines()[-1]
    return {"seconds": seconds, "version": version}


def imported_from(tree: Path) -> str:
    """Where ``import mtopics`` resolves with ``tree``'s source first (checks that the baseline is the baseline)."""
    env = dict(os.environ, PYTHONPATH=str(tree / "src"))
    code = "import mtopics; print(mtopics.__file__, mtopics.__version__)"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="runs of each variant (default 3)")
    parser.add_argument("--baseline", default=BASELINE, help=f"git ref of the earlier release (default {BASELINE})")
    args = parser.parse_args()
    runs: dict[str, list[float]] = {"baseline": [], "first run": [], "cached": []}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "baseline"
        base.mkdir()
        export(args.baseline, base)
        where = {"baseline": imported_from(base).strip(), "this checkout": imported_from(ROOT).strip()}
        for name, line in where.items():
            print(f"{name}: mtopics from {line}", file=sys.stderr)
        for r in range(args.rounds):
            cache = Path(tmp) / f"cache-{r}"  # a new, empty cache each round
            variants = [
                ("baseline", base, Path(tmp) / "unused-cache"),
                ("first run", ROOT, cache),
                ("cached", ROOT, cache),
            ]
            for name, tree, cache_dir in variants:
                result = train_once(tree, Path(tmp) / f"models-{name.replace(' ', '-')}-{r}", cache_dir)
                runs[name].append(float(result["seconds"]))
                print(f"round {r + 1}: {name}: {result['seconds']:.1f} s", file=sys.stderr)
    medians = {name: statistics.median(times) for name, times in runs.items()}
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    results = {
        "date": time.strftime("%Y-%m-%d"),
        "command": "python benchmarks/bench_train.py " + " ".join(sys.argv[1:]),
        "commit": commit.stdout.strip(),
        "baseline": args.baseline,
        "imported": where,
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()},
        "runs": runs,
        "median_s": medians,
        "ratio_to_baseline": {name: medians[name] / medians["baseline"] for name in ("first run", "cached")},
    }
    out = ROOT / "benchmarks" / "results" / "train.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"| `mtopics run {CONFIG}`, new process | median of {args.rounds} | runs | ratio to baseline |")
    print("|---|---|---|---|")
    labels = {
        "baseline": f"{args.baseline} (0.5.0: embeds every passage)",
        "first run": "this checkout, empty vector cache",
        "cached": "this checkout, vectors cached",
    }
    for name, times in runs.items():
        ratio = medians[name] / medians["baseline"]
        print(f"| {labels[name]} | {medians[name]:.1f} s | {', '.join(f'{t:.1f}' for t in times)} | {ratio:.2f} |")
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
