"""How much the example messages add, measured on their own validation part.

python -m bot.intents.neighbours_check

The example lines are split by a hash of the line (neighbours.is_validation): a classifier
whose index holds the other ~80% classifies the validation ~20%, next to the keyword rules
alone. The thresholds in Settings (examples_*) were chosen on these figures; the shipped
classifier learns from every line.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bot.intents.neighbours import Example, example_files, is_validation, read_examples
from bot.intents.taxonomy import is_emergency


def split(root: Path, locales: Sequence[str] = ("zh", "en")) -> tuple[list[Example], list[Example]]:
    """(learning part, validation part) of the example lines."""
    examples = read_examples(example_files(root, locales))
    return (
        [e for e in examples if not is_validation(e.text)],
        [e for e in examples if is_validation(e.text)],
    )


def validation_figures(root: Path) -> dict[str, dict[str, float]]:
    """Accuracy, emergency recall and alarms (non-emergency lines classified as emergencies)
    on the validation part: "rules" without examples, "examples" with the learning part."""
    from bot.intents.classifier import Classifier

    learn, validate = split(root)
    figures: dict[str, dict[str, float]] = {}
    for name, examples in (("rules", []), ("examples", learn)):
        classifier = Classifier.from_locales(root, examples=examples)
        right = emergencies = recalled = calm = alarms = confirmations = 0
        for example in validate:
            got = classifier.classify(example.text)
            right += got.intent == example.intent
            if is_emergency(example.intent):
                emergencies += 1
                recalled += got.is_emergency
            else:
                calm += 1
                alarms += got.is_emergency
            confirmations += got.needs_confirmation
        figures[name] = {
            "messages": len(validate),
            "accuracy": right / len(validate),
            "recall": recalled / emergencies if emergencies else float("nan"),
            "emergencies": emergencies,
            "alarms": alarms,
            "calm": calm,
            "confirmations": confirmations,
        }
    return figures


def main() -> int:  # pragma: no cover - a maintenance command
    from bot.config import REPO_ROOT

    for name, f in validation_figures(REPO_ROOT / "locales").items():
        print(
            f"{name:9s} {f['messages']:.0f} validation lines: accuracy {f['accuracy']:.4f}, "
            f"emergency recall {f['recall']:.4f} of {f['emergencies']:.0f}, alarms "
            f"{f['alarms']:.0f} of {f['calm']:.0f}, confirmation questions {f['confirmations']:.0f}"
        )
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
