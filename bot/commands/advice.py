"""`python -m bot advice train|tune|evaluate`: the advice model's life cycle (bot/flows/advice_model.py).

- `train`: fit on every labelled question (locales/zh/advice/*.jsonl) and export the weights
  to locales/zh/model/advice.npz (deterministic, a few seconds).
- `tune`: leave-one-writer-out cross-validation; choose the threshold (the lowest with
  precision >= 0.97: the most right answers for that share of wrong ones) and write it to
  locales/zh/advice_model.yaml.
- `evaluate`: the same cross-validation and the fresh holdouts (tests/data/advice_holdout1, 2.jsonl,
  never learned from): precision and coverage of the model, of the word lists of advice.yaml,
  and of both (the lists first, as served); per writer; `--json` for the totals only.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

from bot.commands.classify import _locales_dir

REPO = Path(__file__).resolve().parents[2]
HOLDOUTS = (
    REPO / "tests" / "data" / "advice_holdout1.jsonl",  # writer AH1, seventeenth session
    REPO / "tests" / "data" / "advice_holdout2.jsonl",  # writer AH2, eighteenth session
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "advice",
        help="train, tune and evaluate the advice model",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("action", choices=("train", "tune", "evaluate"))
    parser.add_argument("--locales-dir", type=Path, default=None)
    parser.add_argument("--holdout", type=Path, action="append", help="a holdout file (repeatable)")
    parser.add_argument("--json", action="store_true", help="evaluate: totals as JSON")
    parser.add_argument("--misses", type=int, default=0, help="evaluate: show N cross-validated misses")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from bot.flows import advice_training as at
    from bot.flows.advice import ANY_SITUATION, AdviceBook
    from bot.flows.advice_model import SETTINGS_FILE, AdviceReader, AdviceSettings
    from bot.intents.classifier import MODEL_LOCALE, build_featurizer
    from bot.intents.normalize import TextNormalizer

    root = _locales_dir(args.locales_dir)
    locale_root = root / MODEL_LOCALE
    settings = AdviceSettings.load(locale_root / SETTINGS_FILE)
    featurizer = build_featurizer(root)
    started = time.monotonic()
    if args.action == "train":
        model = at.train_and_export(locale_root, featurizer, settings)
        print(
            f"trained on {model.meta['messages']} questions of {model.meta['writers']} writers, "
            f"{model.meta['features']} features, in {time.monotonic() - started:.1f} s"
        )
        return 0
    ids = at.names(locale_root)
    open_for = at.candidates_of(locale_root)
    rows = at.read_asked(at.data_files(locale_root), ids)
    say = (lambda m: print(m, file=sys.stderr)) if args.json else print
    scored = at.grouped_cv(rows, featurizer, settings.training)
    threshold = settings.threshold
    if args.action == "tune":
        threshold = at.choose_threshold(scored, open_for)
        _write_threshold(locale_root / SETTINGS_FILE, threshold)
        say(f"chosen: threshold {threshold}")
    book = AdviceBook.load(locale_root / "advice.yaml", TextNormalizer().prepare)

    def lists(s: at.Scored) -> str | None:  # the report's situation is not known
        found = book.find(s.row.text, s.row.emergency, ANY_SITUATION)
        return found.removeprefix("safety.advice.") if found else None

    def both(s: at.Scored) -> str | None:
        from bot.flows.advice_model import pick, vetoed

        found = lists(s)
        if found:
            return None if settings.veto < 1.0 and vetoed(s.probs, open_for(s.row), settings.veto) else found
        picked = pick(s.probs, open_for(s.row), threshold)
        return picked[0] if picked else None

    reader = AdviceReader.load(locale_root, featurizer)
    sets: dict[str, list[at.Scored]] = {"cv": scored}
    if reader is not None:
        for path in args.holdout or HOLDOUTS:
            if path.is_file():
                sets[path.name] = at.score_with(reader, at.read_asked([path], ids))
    figures: dict[str, Any] = {}
    for name, group in sets.items():
        figures[name] = {
            "model": at.report(group, open_for, threshold).as_dict(),
            "lists": at.report(group, open_for, threshold, lists).as_dict(),
            "both": at.report(group, open_for, threshold, both).as_dict(),
        }
    if args.json:
        print(json.dumps({"threshold": threshold, **figures}))
        return 0
    for name, parts in figures.items():
        title = "leave-one-writer-out CV" if name == "cv" else f"fresh holdout ({name})"
        print(f"{title}, threshold {threshold}:")
        for how, r in parts.items():
            print(f"  {how:6} precision {r['precision']:.3f}  coverage {r['coverage']:.3f}  "
                  f"wrong {r['wrong_answers']}  answered a 'none' {r['answers_to_none']}/{r['nones']}  "
                  f"({r['messages']} messages, {r['asked']} with an answer)")  # fmt: skip
    cv = at.report(scored, open_for, threshold, both)
    print("  per writer (both: right / answered / asked):")
    for writer, (right, answered, asked) in sorted(cv.per_writer.items()):
        print(f"    {writer:8} {right:4} / {answered:4} / {asked:4}")
    for text, label, got in cv.misses[: args.misses]:
        print(f"  CV missed {label} -> {got or '-'}: {text}")
    print(f"({time.monotonic() - started:.0f} s)")
    return 0


def _write_threshold(path: Path, threshold: float) -> None:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(\s*threshold:\s*)[0-9.]+", rf"\g<1>{threshold}", text)
    path.write_text(text, encoding="utf-8")
