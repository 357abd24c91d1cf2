"""Tests of mtopics._topics: gensim LDA training, numpy inference, persistence."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mtopics import LdaTopicModel, NotFittedError, select_num_topics

COURT = ["court", "hearing", "judge", "lawyer", "case", "adjourned"]
MUSIC = ["singer", "album", "song", "concert", "music", "band"]


def corpus(n: int = 30) -> list[list[str]]:
    rng = np.random.default_rng(0)
    docs = []
    for i in range(n):
        words = COURT if i % 2 else MUSIC
        docs.append(list(rng.choice(words, size=12)))
    return docs


@pytest.fixture(scope="module")
def fitted() -> LdaTopicModel:
    return LdaTopicModel(num_topics=2, passes=10, no_below=1, no_above=1.0, random_state=3).fit(corpus())


def test_topics_separate_the_two_themes(fitted: LdaTopicModel) -> None:
    tops = [set(fitted.top_terms(k, 6)) for k in range(2)]
    assert {frozenset(t) for t in tops} == {frozenset(COURT), frozenset(MUSIC)}
    mix = fitted.transform([["judge", "court", "lawyer"], ["song", "singer"]])
    assert np.allclose(mix.sum(axis=1), 1.0)
    court_topic = 0 if "court" in tops[0] else 1
    assert mix[0, court_topic] > 0.8
    assert mix[1, court_topic] < 0.2


def test_same_seed_same_topics_other_seed_may_differ() -> None:
    a = LdaTopicModel(num_topics=2, passes=3, no_below=1, no_above=1.0, random_state=5).fit(corpus())
    b = LdaTopicModel(num_topics=2, passes=3, no_below=1, no_above=1.0, random_state=5).fit(corpus())
    assert np.array_equal(a.lambda_, b.lambda_)
    assert np.array_equal(a.alpha_, b.alpha_)


def test_inference_matches_gensim(fitted: LdaTopicModel) -> None:
    from gensim.corpora import Dictionary
    from gensim.models import LdaModel

    docs = corpus()
    dictionary = Dictionary(docs)
    dictionary.filter_extremes(no_below=1, no_above=1.0)
    model = LdaModel(
        corpus=[dictionary.doc2bow(d) for d in docs],
        id2word=dictionary,
        num_topics=2,
        passes=10,
        random_state=3,
        alpha="auto",
        eta="auto",
        eval_every=None,
    )
    ours = LdaTopicModel.from_state(*_state_from_gensim(model, dictionary))
    doc = ["judge", "court", "song", "court"]
    gamma, _ = model.inference([dictionary.doc2bow(doc)])
    theirs = gamma[0] / gamma[0].sum()
    assert np.allclose(ours.transform([doc])[0], theirs, atol=2e-2)


def _state_from_gensim(model, dictionary):  # type: ignore[no-untyped-def]
    terms = [dictionary[i] for i in range(len(dictionary))]
    params = LdaTopicModel(num_topics=2).get_params()
    arrays = {
        "lambda": model.state.get_lambda(),
        "alpha": np.asarray(model.alpha),
        "eta": np.asarray(model.eta),
        "term_frequency": np.ones(len(terms)),
    }
    return {"params": params, "terms": terms, "num_documents": 30}, arrays


def test_unknown_and_empty_documents_get_the_prior(fitted: LdaTopicModel) -> None:
    mix = fitted.transform([[], ["zzz", "unknown"]])
    prior = fitted.alpha_ / fitted.alpha_.sum()
    assert np.allclose(mix[0], prior)
    assert np.allclose(mix[1], prior)
    assert fitted.known_fraction(["court", "zzz"]) == 0.5
    assert fitted.known_fraction([]) == 1.0


def test_labels_and_relevance(fitted: LdaTopicModel) -> None:
    for k in range(2):
        label = fitted.label(k)
        assert label.count(" / ") == 2
        assert set(label.split(" / ")) <= set(fitted.terms_)
        assert fitted.relevant_terms(k, 3, lam=1.0) == fitted.top_terms(k, 3)


def test_state_round_trip(fitted: LdaTopicModel) -> None:
    state, arrays = fitted.get_state()
    state = json.loads(json.dumps(state))
    again = LdaTopicModel.from_state(state, arrays)
    doc = [["court", "song", "judge"]]
    assert np.array_equal(again.transform(doc), fitted.transform(doc))
    arrays["lambda"] = arrays["lambda"][:, :3]
    with pytest.raises(ValueError, match="has shape"):
        LdaTopicModel.from_state(state, arrays)


def test_errors() -> None:
    with pytest.raises(NotFittedError):
        LdaTopicModel().transform([["a"]])
    with pytest.raises(ValueError, match="cannot learn alpha"):
        LdaTopicModel(multicore=True, alpha="auto").fit(corpus())
    with pytest.raises(ValueError, match="terms are left after vocabulary filtering"):
        LdaTopicModel(num_topics=50, no_below=1, no_above=1.0).fit(corpus())


def test_streamed_corpus_is_read_once_per_pass() -> None:
    class Counting:
        def __init__(self) -> None:
            self.reads = 0

        def __iter__(self):  # type: ignore[no-untyped-def]
            self.reads += 1
            yield from corpus()

    stream = Counting()
    LdaTopicModel(num_topics=2, passes=4, no_below=1, no_above=1.0).fit(stream)
    assert stream.reads == 1 + 1 + 4  # vocabulary, TF-IDF matrix of the NMF start, then one read per pass
    stream = Counting()
    LdaTopicModel(num_topics=2, passes=4, no_below=1, no_above=1.0, init="random").fit(stream)
    assert stream.reads == 1 + 4


FILM = ["film", "actor", "drama", "director", "screen", "cinema"]


def three_themes(n: int = 45) -> list[list[str]]:
    rng = np.random.default_rng(1)
    return [list(rng.choice((COURT, MUSIC, FILM)[i % 3], size=12)) for i in range(n)]


def test_restarts_keep_the_consensus_run_and_measure_stability() -> None:
    from mtopics import topic_stability

    docs = three_themes()
    params = dict(num_topics=3, passes=5, no_below=1, no_above=1.0, random_state=7)
    model = LdaTopicModel(**params, restarts=3).fit(docs)
    singles = [LdaTopicModel(**{**params, "random_state": 7 + i}).fit(docs) for i in range(3)]
    tops = [[m.top_terms(k, 10) for k in range(3)] for m in singles]
    # the kept run is restart chosen_restart_, trained with seed random_state + chosen_restart_
    assert np.allclose(model.lambda_, singles[model.chosen_restart_].lambda_)
    assert model.stability_ == pytest.approx(topic_stability(tops, 10))
    # it agrees with the other runs at least as well as any other run does
    agreement = [np.mean([topic_stability([tops[i], tops[j]]) for j in range(3) if j != i]) for i in range(3)]
    assert agreement[model.chosen_restart_] == pytest.approx(max(agreement))
    assert LdaTopicModel(**params).fit(docs).stability_ is None


def test_restarts_in_parallel_give_the_same_model_as_one_at_a_time() -> None:
    docs = three_themes()
    params = dict(num_topics=3, passes=3, no_below=1, no_above=1.0, random_state=2, restarts=2)
    serial = LdaTopicModel(**params, n_jobs=1).fit(docs)
    parallel = LdaTopicModel(**params, n_jobs=2).fit(docs)
    assert np.array_equal(serial.lambda_, parallel.lambda_)
    assert serial.stability_ == parallel.stability_


def test_restarts_below_one_are_refused() -> None:
    with pytest.raises(ValueError, match="restarts must be at least 1; got 0"):
        LdaTopicModel(num_topics=2, restarts=0, no_below=1).fit(corpus())


def test_select_num_topics_records_every_candidate_and_follows_the_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    from mtopics import _topics

    docs = three_themes()
    base = LdaTopicModel(passes=5, no_below=1, no_above=1.0, random_state=0, restarts=2)
    model, sweep = _topics.select_num_topics(docs, [4, 2, 3], docs, base)
    assert [row["num_topics"] for row in sweep] == [2, 3, 4]
    assert sum(row["chosen"] for row in sweep) == 1
    chosen = next(row for row in sweep if row["chosen"])
    assert model.num_topics == chosen["num_topics"]
    for row in sweep:
        assert row["score"] == pytest.approx(row["diversity"] * (row["c_v"] + row["stability"]) / 2)
        assert len(row["per_topic_c_v"]) == row["num_topics"]
    # rule: the smallest K whose score is within 0.005 of the best
    best = max(row["score"] for row in sweep)
    assert chosen["num_topics"] == min(r["num_topics"] for r in sweep if r["score"] >= best - 0.005)

    # the tie rule on made-up scores: 0.500 / 0.504 / 0.508 -> K=3 (within 0.005 of 0.508)
    fake = iter([0.500, 0.504, 0.508])

    def fake_eval(lda: LdaTopicModel, *args: object) -> dict[str, object]:
        return {"num_topics": lda.num_topics, "c_v": next(fake), "diversity": 1.0, "stability": None}

    monkeypatch.setattr(_topics, "evaluate_topics", fake_eval)
    single = LdaTopicModel(passes=1, no_below=1, no_above=1.0, random_state=0)
    model, sweep = _topics.select_num_topics(docs, [2, 3, 4], docs, single)
    assert [row["chosen"] for row in sweep] == [False, True, False]
    assert model.num_topics == 3 and model.stability_ is None


def test_select_num_topics_finds_the_number_of_themes_of_a_made_up_corpus() -> None:

    # 4 themes of 25 words each, word frequencies falling within a theme; one theme per document
    rng = np.random.default_rng(1)
    themes = [[f"{name}{i}" for i in range(25)] for name in ("court", "music", "film", "law")]
    p = np.linspace(2, 0.2, 25) / np.linspace(2, 0.2, 25).sum()
    docs = [list(rng.choice(themes[i % 4], size=30, p=p)) for i in range(120)]
    base = LdaTopicModel(passes=10, no_below=1, no_above=1.0, random_state=0, restarts=3)
    model, sweep = select_num_topics(docs, [2, 3, 4, 6, 8], docs, base)
    assert model.num_topics == 4
    # K=6 and 8 split themes into near-copies: as stable, but less diverse
    by_k = {row["num_topics"]: row for row in sweep}
    assert by_k[6]["diversity"] < by_k[4]["diversity"] == 1.0
    found = {frozenset(w.rstrip("0123456789") for w in model.top_terms(k, 10)) for k in range(4)}
    assert found == {frozenset([name]) for name in ("court", "music", "film", "law")}


def test_nndsvd_start_gives_the_same_topics_whatever_the_seed() -> None:
    docs = three_themes(60)
    params = dict(num_topics=3, passes=5, no_below=1, no_above=1.0)
    tops = [
        {frozenset(m.top_terms(k, 6)) for k in range(3)}
        for m in (LdaTopicModel(**params, random_state=seed).fit(docs) for seed in (0, 1, 2))
    ]
    assert tops[0] == tops[1] == tops[2] == {frozenset(COURT), frozenset(MUSIC), frozenset(FILM)}
    with pytest.raises(ValueError, match="init must be 'nndsvd' or 'random'; got 'nmf'"):
        LdaTopicModel(init="nmf").fit(docs)


def test_tfidf_matrix_of_the_start_is_l2_normalised_log2_idf() -> None:
    from gensim.corpora import Dictionary

    from mtopics._topics import _tfidf_matrix

    docs = [["a", "a", "b"], ["b", "c"], ["c"]]
    d = Dictionary(docs)
    x = _tfidf_matrix(docs, d).toarray()
    assert np.allclose(np.linalg.norm(x, axis=1), 1.0)
    a, b = d.token2id["a"], d.token2id["b"]
    # doc 0: tf(a)=2, idf(a)=log2(3/1); tf(b)=1, idf(b)=log2(3/2)
    ratio = (2 * np.log2(3)) / np.log2(1.5)
    assert x[0, a] / x[0, b] == pytest.approx(ratio)


def test_nndsvd_start_is_the_same_every_time() -> None:
    from gensim.corpora import Dictionary

    from mtopics._topics import _nndsvd_start, _tfidf_matrix

    # randomized SVD inside NNDSVD: without a fixed random_state two starts differ
    rng = np.random.default_rng(3)
    docs = [list(rng.choice([f"w{i}" for i in range(200)], size=40)) for _ in range(150)]
    x = _tfidf_matrix(docs, Dictionary(docs))
    first, second = _nndsvd_start(x, 7, 6000.0), _nndsvd_start(x, 7, 6000.0)
    assert np.array_equal(first, second)
    assert first.sum() == pytest.approx(6000.0)


def test_subsample_restarts_keep_the_full_run_and_measure_agreement_with_it() -> None:
    rng = np.random.default_rng(5)
    docs = [list(rng.choice([f"w{i}" for i in range(60)], size=20)) for _ in range(80)]
    params = dict(num_topics=4, passes=3, no_below=1, no_above=1.0, random_state=11)
    full = LdaTopicModel(**params).fit(docs)
    model = LdaTopicModel(**params, restarts=3, subsample=0.7).fit(docs)
    # the kept run is the one that saw every document
    assert model.chosen_restart_ == 0 and np.array_equal(model.lambda_, full.lambda_)
    # on structureless text, topics of subsamples do not come back; with the deterministic
    # start, seeds alone would say they do
    assert model.stability_ is not None and model.stability_ < 0.9
    seeds_only = LdaTopicModel(**params, restarts=3).fit(docs)
    assert seeds_only.stability_ is not None and seeds_only.stability_ > model.stability_


def test_subsample_plan_draws_one_mask_per_restart_shared_by_every_k() -> None:
    from gensim.corpora import Dictionary

    docs = three_themes(100)
    base = LdaTopicModel(restarts=3, subsample=0.8, random_state=4, no_below=1, no_above=1.0)
    models = {k: LdaTopicModel(**{**base.get_params(), "num_topics": k}) for k in (2, 3)}
    jobs = base._plan(docs, Dictionary(docs), models)
    assert [(m.num_topics, seed) for m, seed, _, _, _ in jobs] == [(2, 4), (2, 5), (2, 6), (3, 4), (3, 5), (3, 6)]
    masks = [keep for _, _, _, keep, _ in jobs]
    assert masks[0] is None and masks[3] is None
    assert np.array_equal(masks[1], masks[4]) and not np.array_equal(masks[1], masks[2])
    assert 0.65 < masks[1].mean() < 0.95
    with pytest.raises(ValueError, match=r"subsample must be in \(0, 1\]; got 1.5"):
        LdaTopicModel(subsample=1.5).fit(docs)


def test_seed_topics_come_first_in_order_whatever_the_seed() -> None:
    seeds = {"the courts": ["judge"], "music": ["album", "concert"]}
    for random_state in (0, 5):
        lda = LdaTopicModel(num_topics=3, seed_topics=seeds, no_below=1, no_above=1.0, random_state=random_state)
        lda.fit(three_themes())
        assert set(lda.top_terms(0, 6)) == set(COURT) and set(lda.top_terms(1, 6)) == set(MUSIC)
        assert set(lda.top_terms(2, 6)) == set(FILM)  # the free topic takes what is left
        assert lda.label(0).startswith("the courts: ") and lda.label(1).startswith("music: ")
        # the terms after the name are what the data put around the seed words, not the seeds
        assert "judge" not in lda.label(0) and len(lda.label(0).split(": ")[1].split(" / ")) == 3
        assert not {"album", "concert"} & set(lda.label(1).split(": ")[1].split(" / "))
        assert ":" not in lda.label(2)


def test_seeded_prior_is_a_fixed_matrix_raised_on_the_seed_terms() -> None:
    lda = LdaTopicModel(num_topics=3, seed_topics={"film": ["cinema"]}, seed_strength=4.0, no_below=1, no_above=1.0)
    lda.fit(three_themes())
    assert lda.eta_.shape == (3, len(lda.terms_))
    i = lda.terms_.index("cinema")
    assert lda.eta_[0, i] == pytest.approx(1 / 3 + 4.0) and lda.eta_[1, i] == pytest.approx(1 / 3)
    assert np.allclose(np.delete(lda.eta_, i, axis=1), 1 / 3)
    state, arrays = lda.get_state()
    again = LdaTopicModel.from_state(json.loads(json.dumps(state)), arrays)
    assert again.label(0) == lda.label(0) and again.eta_.shape == (3, len(lda.terms_))
    doc = [["cinema", "judge", "album"]]
    assert np.array_equal(again.transform(doc), lda.transform(doc))


def test_seed_words_and_their_phrases_stay_in_the_vocabulary() -> None:
    # "news" is in every document: no_above drops it, unless it is a seed word; the phrase
    # "news_desk" holds the seed word and is seeded with it
    docs = [[*d, "news", "news_desk"] for d in three_themes()]
    plain = LdaTopicModel(num_topics=3, no_below=1, no_above=0.5).fit(docs)
    assert "news" not in plain.terms_
    seeded = LdaTopicModel(num_topics=3, seed_topics={"newsroom": ["news"]}, no_below=1, no_above=0.5).fit(docs)
    assert {"news", "news_desk"} <= set(seeded.terms_)
    assert seeded.eta_[0, seeded.terms_.index("news_desk")] > seeded.eta_[1, seeded.terms_.index("news_desk")]


def test_seed_topic_errors_and_warnings(caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(ValueError, match="at least the number of seed topics"):
        LdaTopicModel(num_topics=1, seed_topics={"a": ["judge"], "b": ["album"]}, no_below=1, no_above=1.0).fit(
            three_themes()
        )
    with pytest.raises(ValueError, match="none of its words"):
        LdaTopicModel(num_topics=3, seed_topics={"sport": ["cricket"]}, no_below=1, no_above=1.0).fit(three_themes())
    with pytest.raises(ValueError, match="at least one word"):
        LdaTopicModel(num_topics=3, seed_topics={"empty": []}, no_below=1, no_above=1.0).fit(three_themes())
    with caplog.at_level("WARNING", logger="mtopics"):
        LdaTopicModel(num_topics=3, seed_topics={"film": ["cinema", "oscars"]}, no_below=1, no_above=1.0).fit(
            three_themes()
        )
    assert "seed topic 'film': oscars not among the corpus' tokens after cleaning" in caplog.text
    with pytest.raises(ValueError, match="at least the number of seed topics"):
        select_num_topics(
            three_themes(),
            [1, 3],
            three_themes(),
            LdaTopicModel(seed_topics={"a": ["judge"], "b": ["album"]}, no_below=1, no_above=1.0),
        )


def test_a_phrase_can_be_a_seed_word() -> None:
    docs = [[*d, "news_desk"] if "cinema" in d else d for d in three_themes()]
    lda = LdaTopicModel(num_topics=3, seed_topics={"desk": ["news desk"]}, no_below=1, no_above=1.0).fit(docs)
    assert lda.eta_[0, lda.terms_.index("news_desk")] > lda.eta_[1, lda.terms_.index("news_desk")]
    assert "news_desk" in lda.top_terms(0, 10) and "cinema" in lda.top_terms(0, 10)


def test_seeds_need_the_nndsvd_start_and_a_seed_topic_without_its_words_is_reported(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with pytest.raises(ValueError, match="seed_topics need init='nndsvd'"):
        LdaTopicModel(num_topics=3, seed_topics={"film": ["cinema"]}, init="random", no_below=1).fit(three_themes())
    lda = LdaTopicModel(num_topics=3, seed_topics={"film": ["cinema"]}, no_below=1, no_above=1.0).fit(three_themes())
    caplog.clear()
    with caplog.at_level("WARNING", logger="mtopics"):
        lda._warn_empty_seeds()
        assert not caplog.text  # the film topic holds "cinema"
        lda.seed_topics = {"film": ["judge"]}  # a word the topic does not hold
        lda._warn_empty_seeds()
    assert "seed topic 'film' holds none of its seed words among its top 10 terms" in caplog.text
