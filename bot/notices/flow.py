"""The /notice flow: a manager writes a notice step by step, sees the preview, confirms.

Steps: kind, buildings, start, expected end, reason, advice (each with buttons where a tap
beats typing), then the preview exactly as residents will see it with 确认发布 / 修改 / 取消.
The one-line form fills what it can and the flow asks the rest. The draft lives in
`notice_drafts`, so a restart in the middle loses nothing; a draft untouched for DRAFT_TTL
is dropped.

The conversation is three tables, read by one small driver (as python-telegram-bot's
`ConversationHandler` reads its `states`): `QUESTIONS`, one per step (its prompt, its
buttons, how a typed answer fills the draft); `PRESSES`, what a button puts into the draft
before the next question; `CONTROLS`, the buttons that act on the whole draft (publish, the
edit menu, cancel). The next question is always the first step the draft still lacks
(`Draft.next_step`), then the preview.

Buttons (`nt:` namespace): k:<kind>, b:all, s:now, e:none, r:<i> (a suggested reason),
a:def (the suggested advice), ok, edit, ed:<field>, back, x (cancel), cl:<cluster id>
(publish from a cluster of reports).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select

from bot.core.actions import AnswerButton, EditText, Keyboard, SendText, keyboard
from bot.core.ids import strict_id, strict_index
from bot.core.incoming import Incoming
from bot.notices.buildings import BuildingError, parse_buildings
from bot.notices.draft import PREVIEW, STEPS, Draft, kind_in, parse_one_line
from bot.notices.render import KINDS
from bot.notices.timephrases import parse_end, parse_period
from bot.storage.models import NoticeDraft
from bot.texts import Raw

if TYPE_CHECKING:
    from bot.notices.context import NoticeFlowContext
    from bot.notices.render import NoticeRenderer

DRAFT_TTL = timedelta(hours=24)
MAX_REASON = 200
MAX_ADVICE = 500
TOO_OLD = timedelta(days=1)


class NoticeFlow:
    def __init__(self, ctx: NoticeFlowContext) -> None:
        self.ctx = ctx
        self.m = ctx.texts.bind(ctx.settings.manager_language, "manager")
        # the notice itself, its reasons and advice are in the residents' language
        self.residents = ctx.texts.bind(ctx.settings.locale, "manager")
        self.user_id = ""  # the manager of the message being handled (their estates)

    @property
    def render(self) -> NoticeRenderer:
        return self.ctx.notices.render

    @property
    def locale(self) -> str:
        """The manager's language (MANAGER_LOCALE)."""
        return self.ctx.settings.manager_language

    @property
    def residents_locale(self) -> str:
        return self.ctx.settings.locale

    def started(self, draft: Draft) -> bool:
        return draft.starts_at is None or draft.starts_at <= self.ctx.clock.now()

    def local_now(self) -> datetime:
        return self.render.local(self.ctx.clock.now())

    async def say(self, chat_id: str, text: str, buttons: Keyboard | None = None) -> None:
        await self.ctx.outbox.send(SendText(chat_id, text, buttons))

    # -- storage ----------------------------------------------------------------------------
    async def load(self, chat_id: str) -> Draft | None:
        async with self.ctx.db.session() as session:
            row = await session.scalar(select(NoticeDraft).where(NoticeDraft.chat_id == chat_id))
        if row is None:
            return None
        if self.ctx.clock.now() - row.updated_at > DRAFT_TTL:
            await self.drop(chat_id)
            return None
        return Draft.from_json(row.data or {})

    async def active(self, chat_id: str) -> bool:
        return await self.load(chat_id) is not None

    async def save(self, chat_id: str, user_id: str, draft: Draft) -> None:
        now = self.ctx.clock.now()
        async with self.ctx.db.transaction() as session:
            row = await session.scalar(select(NoticeDraft).where(NoticeDraft.chat_id == chat_id))
            if row is None:
                row = NoticeDraft(
                    chat_id=chat_id, user_id=user_id, created_at=now, step="", data={}
                )
                session.add(row)
            row.step, row.data, row.updated_at = draft.next_step(), draft.to_json(), now

    async def drop(self, chat_id: str) -> bool:
        async with self.ctx.db.transaction() as session:
            result = await session.execute(
                delete(NoticeDraft).where(NoticeDraft.chat_id == chat_id)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    # -- entry points -------------------------------------------------------------------------
    # -- which estate -------------------------------------------------------------------------
    def estates_of(self, user_id: str) -> list[Any]:
        """The estates this manager may write a notice for (all, for a company-level one)."""
        estates = self.ctx.estates
        if estates is None:
            return []
        scope = estates.manager_scope(user_id, self.ctx.settings.manager_ids)
        return [e for e in estates.all if scope is None or e.id in scope]

    def settle_estate(self, draft: Draft, user_id: str) -> None:
        """One estate to choose from: it is the notice's (no question asked)."""
        if draft.estate_id is not None:
            return
        if self.ctx.estates is None:
            draft.estate_id = 0
            return
        mine = self.estates_of(user_id)
        if len(mine) == 1:
            draft.estate_id = mine[0].id
        else:
            draft.ask_estate = True  # which one is the first question

    def several_estates(self, user_id: str) -> bool:
        return len(self.estates_of(user_id)) > 1

    async def start(self, incoming: Incoming, args: str) -> None:
        draft = Draft()
        if args:
            try:
                draft = parse_one_line(args, self.local_now())
            except BuildingError as exc:
                await self.say(incoming.chat_id, self.m("bad_range", range=str(exc)))
        await self._continue(incoming, draft)

    async def start_from_cluster(self, incoming: Incoming, cluster_id: int) -> None:
        cluster = await self.ctx.notices.clusters.get(cluster_id)
        if cluster is None or cluster.status != "open":
            await self.say(incoming.chat_id, self.m("cluster_gone"))
            return
        draft = Draft(
            kind=cluster.kind,
            buildings=[cluster.building],
            starts_at=cluster.opened_at,
            cluster_id=cluster.id,
            estate_id=cluster.estate_id,
        )
        await self._continue(incoming, draft)

    async def cancel(self, incoming: Incoming) -> None:
        await self.drop(incoming.chat_id)
        await self.say(incoming.chat_id, self.m("draft_cancelled"))

    async def on_text(self, incoming: Incoming) -> None:
        draft = await self.load(incoming.chat_id)
        if draft is None:
            return
        text = (incoming.text or "").strip()
        if not text:
            await self.say(incoming.chat_id, self.m("again_text"))
            return
        self.settle_estate(draft, incoming.user_id)
        self.user_id = incoming.user_id
        question = QUESTIONS.get(draft.next_step())
        error = question.answer(self, draft, text) if question is not None else None
        if error is not None:
            await self.say(incoming.chat_id, error)
            await self.ask(incoming.chat_id, draft)
            return
        await self._continue(incoming, draft)

    async def on_button(self, incoming: Incoming, action: str, arg: str) -> None:
        """A `nt:<action>[:<arg>]` button that belongs to the draft."""
        await self.ctx.outbox.send(
            AnswerButton(incoming.callback_id or "", chat_id=incoming.chat_id)
        )
        if action == "cl":
            cluster = strict_id(arg)
            if cluster is not None:
                await self.start_from_cluster(incoming, cluster)
            return
        draft = await self.load(incoming.chat_id)
        if draft is None:
            await self.say(incoming.chat_id, self.m("draft_gone"))
            return
        control = CONTROLS.get(action)
        if control is not None:
            await control(self, incoming, draft)
            return
        self.user_id = incoming.user_id
        press = PRESSES.get(action)
        if press is not None:
            press(self, draft, arg)
        await self._continue(incoming, draft)

    # -- the driver ------------------------------------------------------------------------------
    async def _continue(self, incoming: Incoming, draft: Draft) -> None:
        self.settle_estate(draft, incoming.user_id)
        self.user_id = incoming.user_id
        await self.save(incoming.chat_id, incoming.user_id, draft)
        await self.ask(incoming.chat_id, draft)

    async def ask(self, chat_id: str, draft: Draft) -> None:
        """The next question the draft needs, or the preview when it is complete."""
        self.user_id = chat_id  # a manager's private chat: the chat is the manager
        question = QUESTIONS.get(draft.next_step())
        if question is None:
            draft.editing = False
            await self.say(chat_id, *(await self.preview(draft)))
            return
        await self.say(chat_id, *question.prompt(self, draft))

    def when(self, moment: datetime) -> str:
        return self.render.when(moment, self.locale)

    def reasons(self, draft: Draft) -> list[str]:
        return [str(r) for r in self.residents.raw(f"reasons.{draft.kind or 'other'}")]

    def default_advice(self, draft: Draft) -> str:
        return self.render.default_advice(
            draft.kind or "other", self.residents_locale, started=self.started(draft)
        )

    async def preview(self, draft: Draft) -> tuple[str, Keyboard]:
        facts = draft.facts()
        count = await self.ctx.notices.recipients(facts.buildings, draft.estate_id)
        now = self.ctx.clock.now()
        remind = self.ctx.settings.notice_remind_before_seconds
        if facts.starts_at is None or facts.starts_at <= now:
            timing = self.m("preview_started")
        elif facts.starts_at - now > timedelta(seconds=remind):
            timing = self.m("preview_planned", remind=round(remind / 60))
        else:
            timing = self.m("preview_planned_soon")
        text = self.m(
            "preview",
            text=Raw(self.render.message(facts, "notice", self.residents_locale)),
            count=count,
            buildings=self.render.buildings(facts.buildings, self.locale),
            timing=timing,
        )
        buttons = keyboard(
            [(self.m("btn.confirm"), "nt:ok")],
            [(self.m("btn.edit"), "nt:edit"), (self.m("btn.cancel"), "nt:x")],
        )
        return text, buttons

    # -- controls: the whole draft ----------------------------------------------------------------
    async def confirm(self, incoming: Incoming, draft: Draft) -> None:
        if draft.next_step() != PREVIEW:
            await self.ask(incoming.chat_id, draft)
            return
        facts = draft.facts()
        text, _ = await self.preview(draft)
        count = await self.ctx.notices.recipients(facts.buildings, draft.estate_id)
        if not await self.drop(incoming.chat_id):  # pressed twice: the first press published
            await self.say(incoming.chat_id, self.m("draft_gone"))
            return
        if incoming.message_id is not None:  # the preview keeps its text, loses its buttons
            await self.ctx.outbox.send(EditText(incoming.chat_id, incoming.message_id, text, None))
        if count == 0:  # nobody to message: the channel and the printed page still work
            await self.say(incoming.chat_id, self.m("published_nobody"))
        elif facts.starts_at is not None and facts.starts_at > self.ctx.clock.now():
            start = self.when(facts.starts_at)
            await self.say(incoming.chat_id, self.m("published_planned", count=count, start=start))
        else:
            await self.say(incoming.chat_id, self.m("published", count=count))
        _, _, told = await self.ctx.notices.publish(
            facts,
            created_by=incoming.user_id,
            manager_chat_id=incoming.chat_id,
            cluster_id=draft.cluster_id,
            estate_id=draft.estate_id,
        )
        if told:
            await self.say(incoming.chat_id, self.m("published_extra", count=told))

    async def edit_menu(self, incoming: Incoming, draft: Draft) -> None:
        steps = [s for s in STEPS if s != "estate" or self.several_estates(incoming.user_id)]
        fields = [(self.m(f"field.{step}"), f"nt:ed:{step}") for step in steps if step != "estate"]
        if "estate" in steps:  # several estates: which one, on a row of its own
            fields.append((self.m("field.estate"), "nt:ed:estate"))
        buttons = keyboard(fields[:3], fields[3:], [(self.m("btn.back"), "nt:back")])
        await self.say(incoming.chat_id, self.m("edit_which"), buttons)

    async def cancel_draft(self, incoming: Incoming, draft: Draft) -> None:
        await self.cancel(incoming)


# -- the tables ---------------------------------------------------------------------------------
Rows = list[list[tuple[str, str]]]


@dataclass(frozen=True)
class Question:
    """One step: its prompt (a `manager.` text, with `values` from the draft), its buttons
    (`choices`: rows above the cancel row; `button`: one button beside cancel), and how a
    typed answer fills the draft (`answer` returns the re-prompt when not understood)."""

    text: str
    answer: Callable[[NoticeFlow, Draft, str], str | None]
    button: tuple[str, str] | None = None  # (label key, button data)
    choices: Callable[[NoticeFlow, Draft], Rows] | None = None
    values: Callable[[NoticeFlow, Draft], dict[str, object]] | None = None

    def prompt(self, flow: NoticeFlow, draft: Draft) -> tuple[str, Keyboard]:
        cancel = (flow.m("btn.cancel"), "nt:x")
        if self.choices is not None:
            buttons = keyboard(*self.choices(flow, draft), [cancel])
        elif self.button is not None:
            label, data = self.button
            buttons = keyboard([(flow.m(label), data), cancel])
        else:
            buttons = keyboard([cancel])
        values = self.values(flow, draft) if self.values is not None else {}
        return flow.m(self.text, **values), buttons


# typed answers: fill the draft, or say what was not understood
def _estate(flow: NoticeFlow, draft: Draft, text: str) -> str | None:
    mine = flow.estates_of(flow.user_id)
    found = flow.ctx.estates.by_name(text) if flow.ctx.estates is not None else None
    if found is None or found not in mine:
        return flow.m("again_estate")
    draft.estate_id = found.id
    return None


def _kind(flow: NoticeFlow, draft: Draft, text: str) -> str | None:
    kind = kind_in(text)
    if kind is None:
        return flow.m("again_kind")
    draft.kind = kind
    return None


def _buildings(flow: NoticeFlow, draft: Draft, text: str) -> str | None:
    try:
        buildings = parse_buildings(text)
    except BuildingError as exc:
        return flow.m("bad_range", range=str(exc))
    if buildings is None:
        return flow.m("again_buildings")
    draft.buildings = buildings
    return None


def _start(flow: NoticeFlow, draft: Draft, text: str) -> str | None:
    now = flow.local_now()
    period = parse_period(text, now)
    if period is None or period.start is None:
        return flow.m("again_start")
    if period.start < now - TOO_OLD:
        return flow.m("start_too_old", start=flow.when(period.start))
    if period.end_given and period.end is not None and period.end <= period.start:
        return flow.m("end_before_start", start=flow.when(period.start))
    draft.starts_at = period.start
    if period.end_given:
        draft.ends_at, draft.end_set = period.end, True
    else:
        draft.drop_end_before_start()
    return None


def _end(flow: NoticeFlow, draft: Draft, text: str) -> str | None:
    assert draft.starts_at is not None
    understood, end = parse_end(text, flow.local_now(), draft.starts_at)
    if not understood:
        return flow.m("again_end")
    if end is not None and end <= draft.starts_at:
        return flow.m("end_before_start", start=flow.when(draft.starts_at))
    draft.ends_at, draft.end_set = end, True
    return None


def _reason(flow: NoticeFlow, draft: Draft, text: str) -> str | None:
    draft.reason = text[:MAX_REASON]
    return None


def _advice(flow: NoticeFlow, draft: Draft, text: str) -> str | None:
    draft.advice = text[:MAX_ADVICE]
    return None


def _estate_choices(flow: NoticeFlow, draft: Draft) -> Rows:
    return [[(e.name, f"nt:es:{e.id}")] for e in flow.estates_of(flow.user_id)]


def _kind_choices(flow: NoticeFlow, draft: Draft) -> Rows:
    return [[(flow.m(f"btn.{k}"), f"nt:k:{k}") for k in KINDS]]


def _reason_choices(flow: NoticeFlow, draft: Draft) -> Rows:
    reasons = flow.reasons(draft)
    return [
        [(reason, f"nt:r:{i}") for i, reason in enumerate(reasons[j : j + 2], start=j)]
        for j in range(0, len(reasons), 2)
    ]


QUESTIONS: dict[str, Question] = {
    "estate": Question("ask_estate", _estate, choices=_estate_choices),
    "kind": Question("ask_kind", _kind, choices=_kind_choices),
    "buildings": Question("ask_buildings", _buildings, button=("btn.all", "nt:b:all")),
    "start": Question("ask_start", _start, button=("btn.now", "nt:s:now")),
    "end": Question(
        "ask_end",
        _end,
        button=("btn.end_unknown", "nt:e:none"),
        values=lambda flow, draft: {"start": flow.when(draft.starts_at or flow.local_now())},
    ),
    "reason": Question("ask_reason", _reason, choices=_reason_choices),
    "advice": Question(
        "ask_advice",
        _advice,
        button=("btn.use_advice", "nt:a:def"),
        values=lambda flow, draft: {"advice": flow.default_advice(draft)},
    ),
}
"""The steps in the order they are asked (`STEPS`); the preview follows the last."""


# buttons that fill the draft: nt:<action>:<arg>, then the next question
def _press_estate(flow: NoticeFlow, draft: Draft, arg: str) -> None:
    wanted = strict_index(arg)
    if any(e.id == wanted for e in flow.estates_of(flow.user_id)):
        draft.estate_id = wanted


def _press_kind(flow: NoticeFlow, draft: Draft, arg: str) -> None:
    if arg in KINDS:
        draft.kind = arg


def _press_all_buildings(flow: NoticeFlow, draft: Draft, arg: str) -> None:
    if arg == "all":
        draft.buildings = []


def _press_start_now(flow: NoticeFlow, draft: Draft, arg: str) -> None:
    if arg == "now":
        draft.starts_at = flow.ctx.clock.now()
        draft.drop_end_before_start()


def _press_end_unknown(flow: NoticeFlow, draft: Draft, arg: str) -> None:
    if arg == "none":
        draft.ends_at, draft.end_set = None, True


def _press_reason(flow: NoticeFlow, draft: Draft, arg: str) -> None:
    index, reasons = strict_index(arg), flow.reasons(draft)
    if index is not None and index < len(reasons):
        draft.reason = reasons[index]


def _press_default_advice(flow: NoticeFlow, draft: Draft, arg: str) -> None:
    if arg == "def" and draft.kind:
        draft.advice = flow.default_advice(draft)


def _press_edit(flow: NoticeFlow, draft: Draft, arg: str) -> None:
    if arg in STEPS:
        draft.clear(arg)
        draft.editing = True


def _press_back(flow: NoticeFlow, draft: Draft, arg: str) -> None:
    draft.editing = False


PRESSES: dict[str, Callable[[NoticeFlow, Draft, str], None]] = {
    "es": _press_estate,
    "k": _press_kind,
    "b": _press_all_buildings,
    "s": _press_start_now,
    "e": _press_end_unknown,
    "r": _press_reason,
    "a": _press_default_advice,
    "ed": _press_edit,
    "back": _press_back,
}

CONTROLS: dict[str, Callable[[NoticeFlow, Incoming, Draft], Awaitable[None]]] = {
    "ok": NoticeFlow.confirm,
    "edit": NoticeFlow.edit_menu,
    "x": NoticeFlow.cancel_draft,
}
