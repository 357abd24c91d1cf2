"""Tests of mtopics._topics: gensim LDA training, numpy inference, persistence."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mtopics import LdaTopicModel, NotFittedError

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
    assert stream.reads == 1 + 4  # vocabulary, then one read per pass
