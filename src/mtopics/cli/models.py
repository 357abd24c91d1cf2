"""``mtopics models``: list versions, name the latest, verify one."""

from __future__ import annotations

import argparse
import json
import logging
from typing import Any

from .._output import format_versions
from .._store import list_versions, resolve_version, verify_version
from ..exceptions import ModelNotFoundError


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "models", help="list, find and verify saved model versions", description="Inspect the model store."
    )
    p.set_defaults(log_level=logging.WARNING)
    inner = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = inner.add_parser("list", help="show versions with their key metrics")
    ls.add_argument("experiment", nargs="?", help="only this experiment")
    ls.add_argument("--models-dir", default="models", help="root of the model store (default: models)")
    ls.add_argument("--json", action="store_true", help="one JSON object per version")
    ls.set_defaults(func=_list)
    latest = inner.add_parser("latest", help="print the path of the newest version of an experiment")
    latest.add_argument("experiment")
    latest.add_argument("--models-dir", default="models", help="root of the model store (default: models)")
    latest.set_defaults(func=_latest)
    verify = inner.add_parser("verify", help="check every hash of a version")
    verify.add_argument("model", help="a version folder or <models-dir>/<experiment>/latest")
    verify.set_defaults(func=_verify)


def _list(args: argparse.Namespace) -> int:
    infos = list(list_versions(args.models_dir, args.experiment))
    if args.json:
        for info in infos:
            print(
                json.dumps(
                    {
                        "experiment": info.experiment,
                        "version": info.version,
                        "path": str(info.path),
                        "created": info.manifest.get("created"),
                        "metrics": info.manifest.get("metrics"),
                    }
                )
            )
        return 0
    newest: dict[str, str] = {}
    for info in infos:
        newest[info.experiment] = str(info.path)
    print(format_versions(infos, latest=list(newest.values())))
    return 0


def _latest(args: argparse.Namespace) -> int:
    parent = f"{args.models_dir}/{args.experiment}"
    infos = list(list_versions(args.models_dir, args.experiment))
    if not infos:
        raise ModelNotFoundError(f"{parent}: no model version of experiment {args.experiment!r}")
    print(infos[-1].path)
    return 0


def _verify(args: argparse.Namespace) -> int:
    path = resolve_version(args.model)
    manifest = verify_version(path)
    print(f"{path}: ok ({len(manifest['files'])} files, format {manifest['format_version']})")
    return 0
