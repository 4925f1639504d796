"""The manager's notice conversation as tables (`bot/notices/flow.py`): one question per
step, every button it shows handled, each step's fields cleared together when edited.
The conversation itself is tested through the app in tests/notices/test_flow.py."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.notices.draft import PREVIEW, STEP_FIELDS, STEPS, Draft
from bot.notices.flow import CONTROLS, PRESSES, QUESTIONS

FULL = Draft(
    kind="water",
    buildings=["3"],
    starts_at=datetime(2026, 12, 6, 9, tzinfo=UTC),
    ends_at=datetime(2026, 12, 6, 17, tzinfo=UTC),
    end_set=True,
    reason="管道维修",
    advice="请储水",
)


def test_one_question_per_step_in_the_order_asked() -> None:
    assert tuple(QUESTIONS) == STEPS
    assert set(STEP_FIELDS) == set(STEPS)


def test_every_button_a_question_shows_is_handled() -> None:
    for step, question in QUESTIONS.items():
        if question.button is not None:
            action = question.button[1].split(":")[1]
            assert action in PRESSES, step
    # the kind and reason choices, the edit menu, back, and the controls
    assert {"k", "r", "ed", "back"} <= set(PRESSES)
    assert set(CONTROLS) == {"ok", "edit", "x"}
    assert not set(PRESSES) & set(CONTROLS)


@pytest.mark.parametrize("step", STEPS)
def test_editing_a_step_asks_it_again_and_only_it(step: str) -> None:
    draft = Draft(**{**FULL.__dict__})
    assert draft.next_step() == PREVIEW
    draft.clear(step)
    assert draft.next_step() == step
    for other in STEPS:
        if other != step:
            for name in STEP_FIELDS[other]:
                assert getattr(draft, name) == getattr(FULL, name)


def test_a_new_start_after_the_end_asks_the_end_again() -> None:
    draft = Draft(**{**FULL.__dict__})
    draft.starts_at = datetime(2026, 12, 6, 18, tzinfo=UTC)
    draft.drop_end_before_start()
    assert draft.next_step() == "end" and draft.ends_at is None
    kept = Draft(**{**FULL.__dict__})
    kept.drop_end_before_start()
    assert kept.next_step() == PREVIEW


def test_presses_fill_the_draft_without_the_app() -> None:
    draft = Draft()
    PRESSES["k"](None, draft, "power")  # type: ignore[arg-type]
    PRESSES["b"](None, draft, "all")  # type: ignore[arg-type]
    PRESSES["e"](None, draft, "none")  # type: ignore[arg-type]
    assert (draft.kind, draft.buildings, draft.end_set, draft.ends_at) == ("power", [], True, None)
    PRESSES["k"](None, draft, "gas")  # type: ignore[arg-type]  # not a kind: unchanged
    PRESSES["ed"](None, draft, "kind")  # type: ignore[arg-type]
    assert draft.kind is None and draft.editing
    PRESSES["back"](None, draft, "")  # type: ignore[arg-type]
    assert not draft.editing
