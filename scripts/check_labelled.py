#!/usr/bin/env python3
"""Check a labelled-message JSONL file written for the classifier (one object per line).

    python3 scripts/check_labelled.py FILE [--writer ID]

Each line: {"text": str, "intent": one of the 16 ids, "tags": [str, ...], "writer": str}.
Prints the counts per intent and tag, and every problem (bad JSON, unknown intent or tag,
empty or duplicate text, wrong writer). Exits 1 when there is a problem.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys

INTENTS = (
    "gas_leak fire elevator_trapped flooding medical security lost_child natural_disaster "
    "power_outage water_outage repair complaint inquiry human_agent smalltalk unknown"
).split()
TAGS = set(
    "indirect long pinyin english mixed on_behalf confuser figurative past negated hypothetical "
    "typo numbers traditional cantonese taiwan dialect emoji slang elderly voice polite "
    "co crisis car falling_object floor relative upstairs short drill news other_estate formal "
    "technical".split()
)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--writer")
    args = parser.parse_args()
    problems: list[str] = []
    intents: collections.Counter[str] = collections.Counter()
    tags: collections.Counter[str] = collections.Counter()
    seen: set[str] = set()
    with open(args.file, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                problems.append(f"line {number}: not JSON ({error})")
                continue
            text = str(row.get("text", "")).strip()
            if not text:
                problems.append(f"line {number}: empty text")
            if text in seen:
                problems.append(f"line {number}: duplicate text {text!r}")
            seen.add(text)
            if row.get("intent") not in INTENTS:
                problems.append(f"line {number}: unknown intent {row.get('intent')!r}")
            intents[row.get("intent")] += 1
            for tag in row.get("tags") or []:
                if tag not in TAGS:
                    problems.append(f"line {number}: unknown tag {tag!r}")
                tags[tag] += 1
            if args.writer and row.get("writer") != args.writer:
                problems.append(f"line {number}: writer {row.get('writer')!r} != {args.writer}")
    print(f"{sum(intents.values())} lines")
    for intent in INTENTS:
        print(f"  {intent:18} {intents[intent]}")
    print("tags:", ", ".join(f"{t} {n}" for t, n in tags.most_common()))
    for problem in problems[:50]:
        print("PROBLEM", problem)
    if len(problems) > 50:
        print(f"... and {len(problems) - 50} more problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
