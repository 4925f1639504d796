"""Is a mentioned danger happening now? Negation, resolution, past and hypothetical markers.

- negated: a negator right before the word (also before an exclusion or veto word of those
  intents: "不是下雨" vetoes nothing) ("没有煤气味", "没闻到煤气味", "no smell of gas",
  "不是停电"); an uncertainty marker ("是不是煤气味", "有没有煤气味") is not a negation. Words
  that carry their own negation ("还没来电": the outage goes on) are keywords themselves.
- resolved: a marker after the word, general ("没事了", "修好了") or the intent's own
  ("煤气味散了" for gas, "人救出来了" for a lift, "找到了" for a child).
- past: a marker before the word ("上次停水的补偿") with no present marker in between
  ("之前停过水, 现在又停了" is current), or a `past_after` marker just after it ("煤气泄漏那次").
- hypothetical: a question about the future or a what-if ("地震的话避难场所在哪", "明天会下暴雨
  吗", "急救培训") makes emergency words count little, unless a present marker says otherwise;
  a `conditional` marker ("如果停电了...", "停水的时候...") does the same for outages too.
- habitual: "每次停水都不通知" speaks of outages in general, not of one going on (outages
  only, unless a present marker says otherwise: a habitual danger, "每次开火都有煤气味", is
  still one).

The marker words are data (`markers` and each intent's `resolved` in intents.yaml).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.intents.keywords import Hit

_WINDOW = 14


def _alternation(words: Iterable[str]) -> str:
    unique = sorted(set(words), key=len, reverse=True)
    return "|".join(re.escape(w) for w in unique) or "(?!)"


def _split(words: Iterable[str]) -> tuple[list[str], list[str]]:
    words = list(words)
    return [w for w in words if not w.isascii()], [w for w in words if w.isascii()]


def _marker_re(words: Iterable[str]) -> re.Pattern[str]:
    zh, en = _split(words)
    parts = []
    if zh:
        parts.append(_alternation(zh))
    if en:
        parts.append(rf"\b(?:{_alternation(en)})\b")
    return re.compile("|".join(parts) or "(?!)")


@dataclass(frozen=True, slots=True)
class Situation:
    factors: tuple[float, ...]
    """Per hit (same order as the hits given): 0 negated, <1 resolved/past/hypothetical, 1."""
    resolved: bool
    past: bool
    negated: frozenset[str]
    """Intents with a negated hit."""
    distress: bool = False
    """A distress word (救命, 快来人) in the message."""


class SituationRules:
    def __init__(
        self,
        markers: Mapping[str, Sequence[str]],
        resolved_by_intent: Mapping[str, Sequence[str]] | None = None,
        *,
        resolved_factor: float = 0.15,
        past_factor: float = 0.25,
    ) -> None:
        neg_zh, neg_en = _split(markers.get("negators", ()))
        unc_zh, unc_en = _split(markers.get("uncertain", ()))
        bridges = _alternation(w for w in markers.get("bridges", ()) if not w.isascii())
        self._negated_zh = re.compile(f"(?:{_alternation(neg_zh)})(?:{bridges}){{0,2}} ?$")
        self._negated_en = re.compile(rf"\b(?:{_alternation(neg_en)})(?: [a-z]+){{0,2}} ?$")
        self._uncertain_zh = re.compile(f"(?:{_alternation(unc_zh)})(?:{bridges}){{0,2}} ?$")
        self._uncertain_en = re.compile(rf"\b(?:{_alternation(unc_en)})(?: [a-z]+){{0,3}} ?$")
        # Quick test: does the prefix contain any negator at all?
        self._any_negator = re.compile(
            "|".join(p for p in (_alternation(neg_zh), rf"\b(?:{_alternation(neg_en)})\b") if p)
        )
        # One regex for every marker word; each word maps to its kinds ("resolved",
        # "resolved:gas_leak", "past", "present", "hypothetical").
        self._kinds: dict[str, set[str]] = {}
        for kind in (
            "resolved",
            "past",
            "past_after",
            "present",
            "hypothetical",
            "conditional",
            "habitual",
            "distress",
        ):
            for word in markers.get(kind, ()):
                self._kinds.setdefault(word, set()).add(kind)
        for intent, words in (resolved_by_intent or {}).items():
            for word in words:
                self._kinds.setdefault(word, set()).add(f"resolved:{intent}")
        self._markers = _marker_re(self._kinds)
        self.resolved_factor = resolved_factor
        self.past_factor = past_factor

    def negated(self, text: str, start: int) -> bool:
        prefix = text[max(0, start - _WINDOW) : start]
        if not prefix or not self._any_negator.search(prefix):
            return False
        if self._uncertain_zh.search(prefix) or self._uncertain_en.search(prefix):
            return False
        return bool(self._negated_zh.search(prefix) or self._negated_en.search(prefix))

    def assess(
        self, text: str, hits: Sequence[Hit], guarded: frozenset[str], emergencies: frozenset[str]
    ) -> Situation:
        """Factors for `hits`; only hits of `guarded` intents (emergency, urgent) are touched,
        by hypothetical markers only those of `emergencies`."""
        if not any(h.intent in guarded for h in hits):
            return Situation(tuple(1.0 for _ in hits), False, False, frozenset())
        # (start, end) of resolution markers: a hit is resolved by a marker that ends after
        # it and does not start before it ("煤气味散了", also "火已经灭了" around 火).
        resolved_at: list[tuple[int, int]] = []
        own_resolved: dict[str, list[tuple[int, int]]] = {}
        past_at: list[int] = []
        present_at: list[int] = []
        past_after_at: list[int] = []
        hypothetical = conditional = habitual = distress = False
        for m in self._markers.finditer(text):
            for kind in self._kinds[m.group()]:
                if kind.startswith("resolved") and self.negated(text, m.start()):
                    continue  # "没有电了" holds "有电了" but resolves nothing
                if kind == "resolved":
                    resolved_at.append(m.span())
                elif kind == "past":
                    past_at.append(m.end())
                elif kind == "past_after":
                    past_after_at.append(m.start())
                elif kind == "present":
                    present_at.append(m.start())
                elif kind == "hypothetical":
                    hypothetical = True
                elif kind == "conditional":
                    conditional = True
                elif kind == "habitual":
                    habitual = True
                elif kind == "distress":
                    distress = True
                else:
                    own_resolved.setdefault(kind[9:], []).append(m.span())
        hypothetical = hypothetical and not present_at
        conditional = conditional and not present_at
        habitual = habitual and not present_at
        factors = []
        negated: set[str] = set()
        any_resolved = any_past = False
        for hit in hits:
            factor = 1.0
            if hit.kind in ("exclude", "veto"):
                # a negated exclusion or veto says nothing ("不是下雨": the rain veto is off)
                if hit.intent in guarded and self.negated(text, hit.start):
                    factor = 0.0
            elif hit.intent in guarded:
                emergency = hit.intent in emergencies
                if any(self.negated(text, start) for start, _ in hit.spans):
                    factor = 0.0
                    negated.add(hit.intent)
                elif any(
                    s >= hit.start and e > hit.end
                    for s, e in (*resolved_at, *own_resolved.get(hit.intent, ()))
                ):
                    factor = self.resolved_factor
                    any_resolved = True
                elif (
                    any(
                        p <= hit.start and not any(p <= q < hit.start for q in present_at)
                        for p in past_at
                    )
                    or any(0 <= a - hit.end <= 4 for a in past_after_at)
                    or conditional
                    or (emergency and hypothetical)
                    or (habitual and not emergency)
                ):
                    factor = self.past_factor
                    any_past = True
            factors.append(factor)
        return Situation(tuple(factors), any_resolved, any_past, frozenset(negated), distress)
