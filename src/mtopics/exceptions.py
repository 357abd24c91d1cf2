"""Every error that mtopics raises on purpose.

Each class also subclasses the matching built-in exception, so callers that
already catch ``ValueError`` or ``OSError`` keep working::

    >>> from mtopics.exceptions import ConfigError
    >>> issubclass(ConfigError, ValueError)
    True
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "CorpusError",
    "EmbeddingDependencyError",
    "ModelFormatError",
    "ModelIntegrityError",
    "ModelNotFoundError",
    "MtopicsError",
    "NotFittedError",
    "ReportDependencyError",
    "ReportError",
]


class MtopicsError(Exception):
    """Base class of every error raised by mtopics."""


class ConfigError(MtopicsError, ValueError):
    """An experiment config (or a ``--set`` override) is invalid.

    The message is one line naming the file, the key path, what is allowed and
    what was given.
    """


class CorpusError(MtopicsError, ValueError):
    """A corpus or labelled-data file cannot be read as asked."""


class NotFittedError(MtopicsError, ValueError):
    """A model was used before ``fit`` was called."""


class ModelNotFoundError(MtopicsError, FileNotFoundError):
    """No model version exists at the given path."""


class ModelIntegrityError(MtopicsError, ValueError):
    """A saved model version has a changed, missing or extra file."""


class ModelFormatError(MtopicsError, ValueError):
    """A saved model version uses a format this mtopics cannot read."""


class ReportError(MtopicsError, ValueError):
    """A report cannot be written where it was asked (for example inside a model version)."""


class ReportDependencyError(MtopicsError, ImportError):
    """PNG charts were asked for but matplotlib is not installed."""


class EmbeddingDependencyError(MtopicsError, ImportError):
    """Stance embeddings were asked for but their optional packages are not installed."""
