"""Labelled stance data: CSV or JSONL files with a text and a stance label."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ._corpus import Document, LoadReport, iter_documents
from ._metrics import STANCE_LABELS
from .exceptions import CorpusError

__all__ = ["LabelledExample", "iter_labelled", "load_labelled_folder", "normalise_label", "read_label_file"]

_SYNONYMS = {"favour": "favor", "pro": "favor", "neutral": "none", "con": "against"}


def normalise_label(value: object, where: str) -> str:
    """A stance label in canonical form (``favor``, ``against``, ``none``).

    Case is ignored and ``favour``/``neutral`` are accepted.

    >>> normalise_label("FAVOUR", "x.csv:2")
    'favor'
    """
    text = str(value).strip().lower() if value is not None else ""
    text = _SYNONYMS.get(text, text)
    if text not in STANCE_LABELS:
        raise CorpusError(f"{where}: label must be one of {', '.join(STANCE_LABELS)}; got {value!r}")
    return text


@dataclass(frozen=True)
class LabelledExample:
    """One labelled text.

    ``group`` ties passages of the same article together (leave-one-article-out
    evaluation); ``evaluate`` false marks training-only data (team-written or
    external) that is never scored.  ``kind`` is ``"article"`` for a whole
    labelled article (a record with ``kind = "article"``): those train the
    article-level model, not the passage classifier.
    """

    id: str
    text: str
    label: str
    weight: float = 1.0
    group: str = ""
    source: str = ""
    evaluate: bool = False
    origin: str = ""
    kind: str = "passage"


def iter_labelled(
    path: str | Path,
    *,
    format: str = "auto",
    text_field: str = "text",
    label_field: str = "label",
    group_field: str = "",
    weight: float = 1.0,
    evaluate: bool = False,
    source: str = "",
    encoding: str = "auto",
    report: LoadReport | None = None,
) -> Iterator[LabelledExample]:
    """Stream the labelled examples of a CSV or JSONL file.

    A record may carry its own ``weight`` field, multiplied by ``weight``.
    A missing or unknown label raises :class:`CorpusError` naming the file and line.
    ``encoding`` is read as by :func:`iter_documents`.
    """
    path = Path(path)
    name = source or path.name
    for doc in iter_documents(path, format=format, text_field=text_field, encoding=encoding, report=report):
        raw_label = _field(doc, label_field)
        label = normalise_label(raw_label, doc.origin)
        w = weight
        if doc.metadata.get("weight") not in (None, ""):
            try:
                w *= float(doc.metadata["weight"])
            except (TypeError, ValueError):
                raise CorpusError(
                    f"{doc.origin}: field `weight` must be a number; got {doc.metadata['weight']!r}"
                ) from None
        group = str(_field(doc, group_field) or "") if group_field else ""
        kind = "article" if str(doc.metadata.get("kind", "")).lower() == "article" else "passage"
        yield LabelledExample(doc.id, doc.text, label, w, group, name, evaluate, doc.origin, kind)


def _field(doc: Document, name: str) -> object:
    if name in ("label", "title", "date", "source", "id"):
        return getattr(doc, name)
    return doc.metadata.get(name)


def read_label_file(path: str | Path, encoding: str = "auto") -> dict[str, str]:
    """``{id: label}`` from a CSV or JSONL file with ``id`` and ``label`` fields (no text).

    A bad label raises :class:`CorpusError` naming the file and line.
    """
    # a label file is read like a corpus whose "text" is the label field
    return {
        d.id: normalise_label(d.text, d.origin) for d in iter_documents(path, text_field="label", encoding=encoding)
    }


#: Label files looked for in a labelled folder, in this order.
LABEL_FILES = ("labels.csv", "labels.jsonl", "labels.tsv")


def load_labelled_folder(
    folder: str | Path, labels: str | Path | None = None, encoding: str = "auto"
) -> list[LabelledExample]:
    """Articles of a folder of ``.txt`` files with their labels from a label file.

    The label file (``labels`` or else the first of :data:`LABEL_FILES` found in
    the folder) has an ``id`` (the file name, as :func:`iter_documents` gives
    it) and a ``label`` per article.  Every labelled id must be a file of the
    folder and every file must have a label, else :class:`CorpusError` names
    the first one missing.  ``encoding`` is that of the articles and the label
    file, read as by :func:`iter_documents`.
    """
    folder = Path(folder)
    if labels is None:
        found = [folder / name for name in LABEL_FILES if (folder / name).is_file()]
        if not found:
            raise CorpusError(f"{folder}: no label file; put one of {', '.join(LABEL_FILES)} in it (id, label)")
        labels = found[0]
    labels = Path(labels)
    gold = read_label_file(labels, encoding)
    docs = {d.id: d for d in iter_documents(folder, format="folder", encoding=encoding)}
    missing = sorted(set(gold) - set(docs))
    if missing:
        raise CorpusError(f"{labels}: id {missing[0]!r} has no file in {folder} ({len(missing)} missing)")
    unlabelled = sorted(set(docs) - set(gold))
    if unlabelled:
        raise CorpusError(f"{folder / unlabelled[0]}: no label in {labels} ({len(unlabelled)} unlabelled)")
    return [
        LabelledExample(
            doc_id, docs[doc_id].text, gold[doc_id], source=labels.name, kind="article", origin=docs[doc_id].origin
        )
        for doc_id in sorted(gold)
    ]
