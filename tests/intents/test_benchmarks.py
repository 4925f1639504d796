"""The benchmark runner finds the classifier benchmark; its message generator is varied."""

from __future__ import annotations

from benchmarks.__main__ import discover
from benchmarks.messages import generate


def test_discovery() -> None:
    names = discover()
    assert "classify" in names
    assert "messages" in names  # found, but skipped at run time: it has no main()


def test_generated_messages() -> None:
    messages = generate(2_000)
    assert len(messages) == 2_000
    assert len(set(messages)) > 1_500
    assert any(m.isascii() for m in messages)  # English
    assert any("棟" in m or "樓" in m or "電" in m for m in messages)  # Traditional
    assert generate(50) == generate(50)  # reproducible
