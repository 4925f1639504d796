"""`python -m bot intents train|tune|evaluate`: the intent model's life cycle.

- `train`: fit on every labelled message (locales/zh/train/*.jsonl) and export the weights
  to locales/zh/model/intents.npz; deterministic, well under a minute.
- `tune`: leave-one-writer-out cross-validation (or `--folds N`); choose the decision
  thresholds (best accuracy with emergency recall >= 0.99, in every fold with `--folds`, at
  least 94% of emergencies answered at once, and confusers alarmed <= 5% where possible) and
  write them to locales/zh/classifier.yaml.
- `evaluate`: the same cross-validation and the fresh holdouts (tests/data/
  intents_holdout3 … 14.jsonl, never trained on): accuracy, emergency recall, confuser alarms,
  per intent, tag and writer, the confusion; `--json` for the totals only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

from bot.commands.classify import _locales_dir

REPO = Path(__file__).resolve().parents[2]
HOLDOUTS = (
    REPO / "tests" / "data" / "intents_holdout3.jsonl",  # writer H1
    REPO / "tests" / "data" / "intents_holdout4.jsonl",  # writer H2, written after v2 landed
    REPO / "tests" / "data" / "intents_holdout5.jsonl",  # writer H3, written in round three
    REPO / "tests" / "data" / "intents_holdout6.jsonl",  # writer H4, written in round four
    REPO / "tests" / "data" / "intents_holdout7.jsonl",  # writer H5, written in round five
    REPO / "tests" / "data" / "intents_holdout8.jsonl",  # writer H6, written in round six
    REPO / "tests" / "data" / "intents_holdout9.jsonl",  # writer H7, written in round seven
    REPO / "tests" / "data" / "intents_holdout10.jsonl",  # writer H8, after the network was chosen
    REPO / "tests" / "data" / "intents_holdout11.jsonl",  # writer H9, in round nine, before it
    REPO / "tests" / "data" / "intents_holdout12.jsonl",  # writer H10, in round ten, after it
    REPO / "tests" / "data" / "intents_holdout13.jsonl",  # writer H11, seventeenth session
    REPO / "tests" / "data" / "intents_holdout14.jsonl",  # writer H12, eighteenth session
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "intents",
        help="train, tune and evaluate the intent model",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("action", choices=("train", "tune", "evaluate"))
    parser.add_argument("--locales-dir", type=Path, default=None)
    parser.add_argument(
        "--holdout", type=Path, action="append", help="a holdout file (repeatable; default: all of HOLDOUTS)"
    )
    parser.add_argument("--json", action="store_true", help="evaluate: totals as JSON")
    parser.add_argument("--misses", type=int, default=0, help="evaluate: show N misses")
    parser.add_argument(
        "--folds",
        type=int,
        default=0,
        help="writers dealt into this many folds (default 0: leave one writer out)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=min(4, os.cpu_count() or 1),
        help="folds fitted at once, in forked processes (same figures; default: the cores, up to 4)",
    )
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from bot.intents import training
    from bot.intents.classifier import (
        MODEL_LOCALE,
        SETTINGS_FILE,
        Classifier,
        ModelSettings,
        build_featurizer,
    )

    root = _locales_dir(args.locales_dir)
    locale_root = root / MODEL_LOCALE
    settings = ModelSettings.load(locale_root / SETTINGS_FILE)
    featurizer = build_featurizer(root)
    started = time.monotonic()
    if args.action == "train":
        model = training.train_and_export(locale_root, featurizer, settings)
        print(
            f"trained on {model.meta['messages']} messages of {model.meta['writers']} writers, "
            f"{model.meta['features']} features, in {time.monotonic() - started:.1f} s"
        )
        return 0
    rows = training.read_labelled(training.training_files(locale_root))
    say = (lambda m: print(m, file=sys.stderr)) if args.json else print
    writers = sorted({r.writer for r in rows})
    fold = {w: str(i % args.folds) if args.folds else w for i, w in enumerate(writers)}
    scored = training.grouped_cv(
        rows,
        lambda m: Classifier(featurizer, m, settings),
        featurizer,
        settings.training,
        progress=say,
        groups=lambda r: fold[r.writer],
        jobs=args.jobs,
    )
    t = settings.thresholds
    if args.action == "tune":
        t = training.choose_thresholds(
            scored, settings.thresholds, groups=(lambda r: fold[r.writer]) if args.folds else None
        )
        _write_thresholds(locale_root / SETTINGS_FILE, t)
        settings = ModelSettings.load(locale_root / SETTINGS_FILE)
        print(f"chosen: {t}")
    cv = training.report(scored, t)
    classifier = Classifier.from_locales(root)
    held = {
        path.name: training.report(
            training.score_with(classifier, training.read_labelled([path])), t
        )
        for path in (args.holdout or HOLDOUTS)
        if path.is_file()
    }
    if args.json:
        figures = {name: r.as_dict() for name, r in held.items()}
        first = next(iter(figures.values()), {})
        print(json.dumps({"cv": cv.as_dict(), "holdout": first, "holdouts": figures}))
        return 0
    title = (
        f"grouped CV ({args.folds} folds of writers)"
        if args.folds
        else "grouped CV (leave one writer out)"
    )
    print(training.format_report(title, cv))
    for name, r in held.items():
        print(training.format_report(f"fresh holdout ({name})", r))
    for title, r in (("CV", cv), *held.items()):
        for text, want, got in training.emergency_misses(r)[: args.misses]:
            print(f"  {title} missed {want} -> {got}: {text[:80]}")
    print(f"({time.monotonic() - started:.0f} s)")
    return 0


def _write_thresholds(path: Path, t: object) -> None:
    """Rewrite the `decision:` values in place (comments kept)."""
    text = path.read_text(encoding="utf-8")
    for name in ("emergency_sure", "emergency_confirm", "urgent", "unknown_below"):
        value = getattr(t, name)
        text = re.sub(rf"(\n  {name}: )[0-9.]+", rf"\g<1>{value}", text, count=1)
    path.write_text(text, encoding="utf-8")
