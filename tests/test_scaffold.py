"""Tests of mtopics._scaffold: ``mtopics init``, a checked config for your own corpus."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

from mtopics import ConfigError, CorpusError, init_experiment, load_config, load_model, run_experiment
from mtopics._experiment import check_data
from mtopics.cli import main


def _lee_lines(n: int) -> list[str]:
    from gensim.test.utils import datapath

    return Path(datapath("lee_background.cor")).read_text(encoding="utf-8", errors="replace").splitlines()[:n]


def _news_csv(path: Path, n: int = 40) -> Path:
    """Lee articles as a CSV with id, title, date, source, text (dates and sources made up for the test)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "title", "date", "source", "text"])
        for i, text in enumerate(_lee_lines(n)):
            month = 10 + i % 3
            writer.writerow(
                [
                    f"lee-{i:03d}",
                    " ".join(text.split()[:6]),
                    f"2018-{month}-0{1 + i % 9}",
                    ["Wire", "Daily"][i % 2],
                    text,
                ]
            )
    return path


def test_init_writes_a_config_that_checks_with_the_shipped_stance_data(tmp_path: Path, repo_root: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i, text in enumerate(_lee_lines(4)):
        (corpus / f"{i}.txt").write_text(text, encoding="utf-8")
    out = init_experiment("mine", corpus, tmp_path / "exp" / "mine.toml")
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask  # an ordinary file, not a private temporary one
    config = load_config(out)
    assert config.name == "mine"
    assert config.resolve_path(config["corpus.path"]).resolve() == corpus.resolve()
    assert config["corpus.format"] == "folder"
    # stance: the default experiment's labelled data, with the seed articles read from the seed corpus
    default = load_config(repo_root / "experiments" / "metoo_pk.toml")
    assert [config.resolve_path(s["path"]).resolve() for s in config["stance.sources"]] == [
        default.resolve_path(s["path"]).resolve() for s in default["stance.sources"]
    ]
    assert config.resolve_path(config["stance.article_corpus"]).resolve() == (repo_root / "data/corpus/metoo-pk")
    # every other setting is the default experiment's
    for section in ("clean", "phrases", "passages", "tfidf", "lda"):
        assert config[section] == default[section]
    assert {k: v for k, v in config["stance"].items() if k not in ("sources", "article_labels", "article_corpus")} == {
        k: v for k, v in default["stance"].items() if k not in ("sources", "article_labels", "article_corpus")
    }
    assert check_data(config)["documents"] == 4


def test_init_without_the_embeddings_extra_writes_ngram_stance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mtopics import EmbeddingDependencyError, StaticEncoder

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(_lee_lines(1)[0], encoding="utf-8")
    with_extra = load_config(init_experiment("mine", corpus, tmp_path / "with.toml"))
    assert with_extra["stance.embeddings"] == "minilm-static"  # the default experiment's, installed here

    def missing(self: StaticEncoder) -> None:
        raise EmbeddingDependencyError("stance embeddings 'minilm-static' need the optional packages")

    monkeypatch.setattr(StaticEncoder, "check_installed", missing)
    out = init_experiment("mine", corpus, tmp_path / "without.toml")
    assert 'embeddings = "none"  # the embeddings extra is not installed' in out.read_text(encoding="utf-8")
    assert load_config(out)["stance.embeddings"] == "none"  # n-grams only


def test_init_reads_a_txt_file_as_one_article_per_line(tmp_path: Path) -> None:
    lines = tmp_path / "lee.cor"
    lines.write_text("\n".join(_lee_lines(5)) + "\n", encoding="utf-8")
    config = load_config(init_experiment("lee", lines, tmp_path / "lee.toml"))
    assert config["corpus.format"] == "lines"
    assert check_data(config)["documents"] == 5


def test_init_keeps_an_existing_config_and_writes_nothing_for_a_bad_corpus(tmp_path: Path) -> None:
    news = _news_csv(tmp_path / "news.csv", 3)
    out = tmp_path / "news.toml"
    out.write_text("# mine\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"news.toml exists: choose another --output, or --force"):
        init_experiment("news", news, out)
    assert out.read_text(encoding="utf-8") == "# mine\n"
    with pytest.raises(CorpusError, match=r"news.csv:2: .*body"):
        init_experiment("news", news, tmp_path / "other.toml", text_field="body")
    assert not (tmp_path / "other.toml").exists() and not list(tmp_path.glob(".*.tmp"))
    with pytest.raises(ConfigError, match=r"--corpus .*missing: no such file or folder"):
        init_experiment("news", tmp_path / "missing", tmp_path / "x.toml")


def test_cli_init_prints_the_config_and_run_check_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    news = _news_csv(tmp_path / "news.csv", 5)
    out = tmp_path / "news.toml"
    assert main(["init", "news", "--corpus", str(news), "-o", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert main(["run", str(out), "--check"]) == 0
    assert (
        capsys.readouterr()
        .out.strip()
        .endswith("ok; 5 documents; 1912 labelled stance examples in 11 sources (61 evaluated); 5 labelled articles")
    )
    assert main(["init", "news", "--corpus", str(news), "-o", str(out)]) == 2  # exists: kept


@pytest.mark.slow
def test_a_csv_corpus_trains_and_keeps_title_date_and_source(tmp_path: Path) -> None:
    news = _news_csv(tmp_path / "news.csv", 40)
    out = init_experiment("news", news, tmp_path / "news.toml")
    quick = ["lda.num_topics=4", "lda.restarts=1", "stance.embeddings=none"]
    path = run_experiment(load_config(out, overrides=quick), models_dir=tmp_path / "models")
    model = load_model(path)
    assert model.corpus is not None and model.corpus.meta["source"][:2] == ["Wire", "Daily"]
    assert model.corpus.meta["date"][0] == "2018-10-01"
    stance = model.metrics["stance"]
    # the figures say what they rest on: the shipped seed passages and articles, not this corpus
    assert stance["data"]["passages"] == "seed_passages.jsonl" and stance["n"] == 61
    assert stance["article"]["n"] == 5 and "seed_articles.jsonl" in stance["article"]["data"]
    summary = json.loads((path / "corpus.json").read_text(encoding="utf-8"))
    assert len(summary["title"]) == 40 and len(summary["known_fraction"]) == 40
