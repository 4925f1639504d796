"""The /notice flow: a manager writes a notice step by step, sees the preview, confirms.

Steps: kind, buildings, start, expected end, reason, advice (each with buttons where a tap
beats typing), then the preview exactly as residents will see it with 确认发布 / 修改 / 取消.
The one-line form fills what it can and the flow asks the rest. The draft lives in
`notice_drafts`, so a restart in the middle loses nothing; a draft untouched for DRAFT_TTL
is dropped.

Buttons (`nt:` namespace): k:<kind>, b:all, s:now, e:none, r:<i> (a suggested reason),
a:def (the suggested advice), ok, edit, ed:<field>, back, x (cancel), cl:<cluster id>
(publish from a cluster of reports).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

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
    def __init__(self, app: NoticeFlowContext) -> None:
        self.app = app
        self.m = app.texts.bind(app.settings.locale, "manager")

    @property
    def render(self) -> NoticeRenderer:
        return self.app.notices.render

    @property
    def locale(self) -> str:
        return self.app.settings.locale

    def local_now(self) -> datetime:
        return self.render.local(self.app.clock.now())

    async def say(self, chat_id: str, text: str, buttons: Keyboard | None = None) -> None:
        await self.app.outbox.send(SendText(chat_id, text, buttons))

    # -- storage ----------------------------------------------------------------------------
    async def load(self, chat_id: str) -> Draft | None:
        async with self.app.db.session() as session:
            row = await session.scalar(select(NoticeDraft).where(NoticeDraft.chat_id == chat_id))
        if row is None:
            return None
        if self.app.clock.now() - row.updated_at > DRAFT_TTL:
            await self.drop(chat_id)
            return None
        return Draft.from_json(row.data or {})

    async def active(self, chat_id: str) -> bool:
        return await self.load(chat_id) is not None

    async def save(self, chat_id: str, user_id: str, draft: Draft) -> None:
        now = self.app.clock.now()
        async with self.app.db.transaction() as session:
            row = await session.scalar(select(NoticeDraft).where(NoticeDraft.chat_id == chat_id))
            if row is None:
                row = NoticeDraft(
                    chat_id=chat_id, user_id=user_id, created_at=now, step="", data={}
                )
                session.add(row)
            row.step, row.data, row.updated_at = draft.next_step(), draft.to_json(), now

    async def drop(self, chat_id: str) -> bool:
        async with self.app.db.transaction() as session:
            result = await session.execute(
                delete(NoticeDraft).where(NoticeDraft.chat_id == chat_id)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    # -- entry points -------------------------------------------------------------------------
    async def start(self, incoming: Incoming, args: str) -> None:
        draft = Draft()
        if args:
            try:
                draft = parse_one_line(args, self.local_now())
            except BuildingError as exc:
                await self.say(incoming.chat_id, self.m("bad_range", range=str(exc)))
        await self._continue(incoming, draft)

    async def start_from_cluster(self, incoming: Incoming, cluster_id: int) -> None:
        cluster = await self.app.notices.clusters.get(cluster_id)
        if cluster is None or cluster.status != "open":
            await self.say(incoming.chat_id, self.m("cluster_gone"))
            return
        draft = Draft(
            kind=cluster.kind,
            buildings=[cluster.building],
            starts_at=cluster.opened_at,
            cluster_id=cluster.id,
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
        step = draft.next_step()
        if not text:
            await self.say(incoming.chat_id, self.m("again_text"))
            return
        error = self._answer(draft, step, text)
        if error is not None:
            await self.say(incoming.chat_id, error)
            await self.ask(incoming.chat_id, draft)
            return
        await self._continue(incoming, draft)

    async def on_button(self, incoming: Incoming, action: str, arg: str) -> None:
        """A `nt:<action>[:<arg>]` button that belongs to the draft."""
        await self.app.outbox.send(
            AnswerButton(incoming.callback_id or "", chat_id=incoming.chat_id)
        )
        if action == "cl":
            cluster = strict_id(arg)
            if cluster is None:
                return
            await self.start_from_cluster(incoming, cluster)
            return
        draft = await self.load(incoming.chat_id)
        if draft is None:
            await self.say(incoming.chat_id, self.m("draft_gone"))
            return
        if action == "x":
            await self.cancel(incoming)
            return
        if action == "ok":
            await self._confirm(incoming, draft)
            return
        if action == "edit":
            await self.say(incoming.chat_id, self.m("edit_which"), self._edit_buttons())
            return
        if action == "back":
            draft.editing = False
        elif action == "ed" and arg in STEPS:
            draft.clear(arg)
            draft.editing = True
        elif action == "k" and arg in KINDS:
            draft.kind = arg
        elif action == "b" and arg == "all":
            draft.buildings = []
        elif action == "s" and arg == "now":
            draft.starts_at = self.app.clock.now()
            if draft.end_set and draft.ends_at is not None and draft.ends_at <= draft.starts_at:
                draft.clear("end")
        elif action == "e" and arg == "none":
            draft.ends_at, draft.end_set = None, True
        elif action == "r" and strict_index(arg) is not None:
            reasons = self._reasons(draft)
            if int(arg) < len(reasons):
                draft.reason = reasons[int(arg)]
        elif action == "a" and arg == "def" and draft.kind:
            draft.advice = self.render.default_advice(draft.kind, self.locale)
        await self._continue(incoming, draft)

    # -- steps ------------------------------------------------------------------------------------
    def _answer(self, draft: Draft, step: str, text: str) -> str | None:
        """Apply a typed answer to the draft; a message to show when it is not understood."""
        now = self.local_now()
        if step == "kind":
            kind = kind_in(text)
            if kind is None:
                return self.m("again_kind")
            draft.kind = kind
        elif step == "buildings":
            try:
                buildings = parse_buildings(text)
            except BuildingError as exc:
                return self.m("bad_range", range=str(exc))
            if buildings is None:
                return self.m("again_buildings")
            draft.buildings = buildings
        elif step == "start":
            period = parse_period(text, now)
            if period is None or period.start is None:
                return self.m("again_start")
            if period.start < now - TOO_OLD:
                return self.m("start_too_old", start=self.render.when(period.start, self.locale))
            if period.end_given and period.end is not None and period.end <= period.start:
                return self.m("end_before_start", start=self.render.when(period.start, self.locale))
            draft.starts_at = period.start
            if period.end_given:
                draft.ends_at, draft.end_set = period.end, True
            elif draft.end_set and draft.ends_at is not None and draft.ends_at <= period.start:
                draft.clear("end")
        elif step == "end":
            assert draft.starts_at is not None
            understood, end = parse_end(text, now, draft.starts_at)
            if not understood:
                return self.m("again_end")
            if end is not None and end <= draft.starts_at:
                return self.m(
                    "end_before_start", start=self.render.when(draft.starts_at, self.locale)
                )
            draft.ends_at, draft.end_set = end, True
        elif step == "reason":
            draft.reason = text[:MAX_REASON]
        elif step == "advice":
            draft.advice = text[:MAX_ADVICE]
        return None

    async def _continue(self, incoming: Incoming, draft: Draft) -> None:
        await self.save(incoming.chat_id, incoming.user_id, draft)
        await self.ask(incoming.chat_id, draft)

    async def ask(self, chat_id: str, draft: Draft) -> None:
        step = draft.next_step()
        if step == PREVIEW:
            draft.editing = False
            await self.say(chat_id, *(await self.preview(draft)))
            return
        cancel = (self.m("btn.cancel"), "nt:x")
        if step == "kind":
            buttons = keyboard([(self.m(f"btn.{k}"), f"nt:k:{k}") for k in KINDS], [cancel])
            await self.say(chat_id, self.m("ask_kind"), buttons)
        elif step == "buildings":
            await self.say(
                chat_id,
                self.m("ask_buildings"),
                keyboard([(self.m("btn.all"), "nt:b:all"), cancel]),
            )
        elif step == "start":
            await self.say(
                chat_id, self.m("ask_start"), keyboard([(self.m("btn.now"), "nt:s:now"), cancel])
            )
        elif step == "end":
            assert draft.starts_at is not None
            await self.say(
                chat_id,
                self.m("ask_end", start=self.render.when(draft.starts_at, self.locale)),
                keyboard([(self.m("btn.end_unknown"), "nt:e:none"), cancel]),
            )
        elif step == "reason":
            reasons = self._reasons(draft)
            rows = [
                [(reason, f"nt:r:{i}") for i, reason in enumerate(reasons[j : j + 2], start=j)]
                for j in range(0, len(reasons), 2)
            ]
            await self.say(chat_id, self.m("ask_reason"), keyboard(*rows, [cancel]))
        elif step == "advice":
            assert draft.kind is not None
            await self.say(
                chat_id,
                self.m("ask_advice", advice=self.render.default_advice(draft.kind, self.locale)),
                keyboard([(self.m("btn.use_advice"), "nt:a:def"), cancel]),
            )

    def _reasons(self, draft: Draft) -> list[str]:
        reasons = self.m.raw(f"reasons.{draft.kind or 'other'}")
        return [str(r) for r in reasons]

    def _edit_buttons(self) -> Keyboard:
        fields = [(self.m(f"field.{step}"), f"nt:ed:{step}") for step in STEPS]
        return keyboard(fields[:3], fields[3:], [(self.m("btn.back"), "nt:back")])

    async def preview(self, draft: Draft) -> tuple[str, Keyboard]:
        facts = draft.facts()
        count = await self.app.notices.recipients(facts.buildings)
        now = self.app.clock.now()
        if facts.starts_at is None or facts.starts_at <= now:
            timing = self.m("preview_started")
        elif facts.starts_at - now > timedelta(
            seconds=self.app.settings.notice_remind_before_seconds
        ):
            timing = self.m(
                "preview_planned", remind=round(self.app.settings.notice_remind_before_seconds / 60)
            )
        else:
            timing = self.m("preview_planned_soon")
        text = self.m(
            "preview",
            text=Raw(self.render.message(facts, "notice", self.locale)),
            count=count,
            buildings=self.render.buildings(facts.buildings, self.locale),
            timing=timing,
        )
        buttons = keyboard(
            [(self.m("btn.confirm"), "nt:ok")],
            [(self.m("btn.edit"), "nt:edit"), (self.m("btn.cancel"), "nt:x")],
        )
        return text, buttons

    async def _confirm(self, incoming: Incoming, draft: Draft) -> None:
        if draft.next_step() != PREVIEW:
            await self.ask(incoming.chat_id, draft)
            return
        facts = draft.facts()
        text, _ = await self.preview(draft)
        count = await self.app.notices.recipients(facts.buildings)
        if not await self.drop(incoming.chat_id):  # pressed twice: the first press published
            await self.say(incoming.chat_id, self.m("draft_gone"))
            return
        if incoming.message_id is not None:  # the preview keeps its text, loses its buttons
            await self.app.outbox.send(EditText(incoming.chat_id, incoming.message_id, text, None))
        if facts.starts_at is not None and facts.starts_at > self.app.clock.now():
            start = self.render.when(facts.starts_at, self.locale)
            await self.say(incoming.chat_id, self.m("published_planned", count=count, start=start))
        else:
            await self.say(incoming.chat_id, self.m("published", count=count))
        _, _, told = await self.app.notices.publish(
            facts,
            created_by=incoming.user_id,
            manager_chat_id=incoming.chat_id,
            cluster_id=draft.cluster_id,
        )
        if told:
            await self.say(incoming.chat_id, self.m("published_extra", count=told))
