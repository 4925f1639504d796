"""How far the intent labels are from what careful readers say: agreement of two blind
annotators with the writers' labels and with each other, and the grouped-CV model's, on the
sample in docs/writers/agreement/sample.jsonl (see its README).

    python scripts/agreement.py [docs/writers/agreement/sample.jsonl]
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.intents.taxonomy import is_emergency  # noqa: E402

SAMPLE = Path(__file__).resolve().parent.parent / "docs" / "writers" / "agreement" / "sample.jsonl"
WHO = ("intent", "annotator_a", "annotator_b", "model_cv")
NAMES = {"intent": "writers", "annotator_a": "annotator A", "annotator_b": "annotator B",
         "model_cv": "model (grouped CV)"}  # fmt: skip


def main(path: Path) -> None:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    print(f"{len(rows)} messages, {len({r['writer'] for r in rows})} writers")
    for i, a in enumerate(WHO):
        for b in WHO[i + 1 :]:
            same = sum(r[a] == r[b] for r in rows) / len(rows)
            print(f"  {NAMES[a]:>18} vs {NAMES[b]:<18} {same:.3f}")
    for who in WHO[1:]:
        found = [is_emergency(r[who]) for r in rows if is_emergency(r["intent"])]
        print(f"  writers' emergencies read as emergencies by {NAMES[who]}: "
              f"{sum(found)}/{len(found)}")  # fmt: skip
    for who in WHO[1:]:
        pairs = Counter((r["intent"], r[who]) for r in rows if r["intent"] != r[who])
        top = ", ".join(f"{a}->{b} {n}" for (a, b), n in pairs.most_common(5))
        print(f"  {NAMES[who]} differs most: {top}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else SAMPLE)
