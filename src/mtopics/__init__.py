"""mtopics: what is talked about, and who takes which side, in news about a public movement.

The public surface: corpus readers, cleaning, passages, TF-IDF, LDA topics, the
stance classifier, experiment configs, the model store and scoring.

>>> import mtopics
>>> mtopics.split_hashtags("#BoycottAliZafar")
'boycott ali zafar'
"""

from ._article import ArticleStanceModel, article_features, cross_validate_articles, fit_stance
from ._clean import (
    TextCleaner,
    fold_typography,
    normalize_unicode,
    remove_emails,
    remove_mentions,
    remove_urls,
    split_hashtags,
    stopword_list,
    strip_furniture,
    tokenize,
)
from ._config import ExperimentConfig, load_config
from ._corpus import Document, LoadReport, iter_documents, load_documents
from ._embed import EMBEDDING_MODELS, POOLINGS, SentenceEncoder, StaticEncoder
from ._experiment import check_data, run_experiment
from ._finetune import TunedEncoder
from ._labelled import LabelledExample, iter_labelled
from ._metrics import (
    STANCE_LABELS,
    calibration_report,
    stance_report,
    theme_coverage,
    topic_coherence,
    topic_coherences,
    topic_diversity,
    topic_stability,
)
from ._model import CorpusSummary, MtopicsModel, load_model
from ._passages import Passage, split_passages
from ._phrases import PhraseDetector
from ._preprocess import PassageParams, Preprocessor
from ._report import render_report, write_report
from ._scaffold import init_experiment
from ._stance import StanceClassifier, cross_validate_stance
from ._store import FORMAT_VERSION, SUPPORTED_FORMATS, list_versions, verify_version
from ._target import TargetTerms
from ._tfidf import TfidfWeighting
from ._topics import LdaTopicModel, evaluate_topics, select_num_topics
from ._version import __version__
from .exceptions import (
    ConfigError,
    CorpusError,
    EmbeddingDependencyError,
    ModelFormatError,
    ModelIntegrityError,
    ModelNotFoundError,
    MtopicsError,
    NotFittedError,
    ReportDependencyError,
    ReportError,
)

__all__ = [
    "EMBEDDING_MODELS",
    "FORMAT_VERSION",
    "POOLINGS",
    "STANCE_LABELS",
    "SUPPORTED_FORMATS",
    "ArticleStanceModel",
    "ConfigError",
    "CorpusError",
    "CorpusSummary",
    "Document",
    "EmbeddingDependencyError",
    "ExperimentConfig",
    "LabelledExample",
    "LdaTopicModel",
    "LoadReport",
    "ModelFormatError",
    "ModelIntegrityError",
    "ModelNotFoundError",
    "MtopicsError",
    "MtopicsModel",
    "NotFittedError",
    "Passage",
    "PassageParams",
    "PhraseDetector",
    "Preprocessor",
    "ReportDependencyError",
    "ReportError",
    "SentenceEncoder",
    "StanceClassifier",
    "StaticEncoder",
    "TargetTerms",
    "TextCleaner",
    "TfidfWeighting",
    "TunedEncoder",
    "__version__",
    "article_features",
    "calibration_report",
    "check_data",
    "cross_validate_articles",
    "cross_validate_stance",
    "evaluate_topics",
    "fit_stance",
    "fold_typography",
    "init_experiment",
    "iter_documents",
    "iter_labelled",
    "list_versions",
    "load_config",
    "load_documents",
    "load_model",
    "normalize_unicode",
    "remove_emails",
    "remove_mentions",
    "remove_urls",
    "render_report",
    "run_experiment",
    "select_num_topics",
    "split_hashtags",
    "split_passages",
    "stance_report",
    "stopword_list",
    "strip_furniture",
    "theme_coverage",
    "tokenize",
    "topic_coherence",
    "topic_coherences",
    "topic_diversity",
    "topic_stability",
    "verify_version",
    "write_report",
]
