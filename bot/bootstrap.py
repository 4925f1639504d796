"""The composition root: the one place that builds every service and wires them together.

Each service receives exactly its collaborators as constructor arguments (the ports of
`bot/core/ports.py` where it crosses a package). Nothing registers itself: the scheduler's
jobs come from `job_table`, the outbox's delivery hooks from `delivery_hooks`. Only
`bot/commands`, `bot/transports` and the tests import this module or `bot.app`
(`tests/core/test_import_rule.py`).

Wiring order (each line uses only what is above it):

    settings, clock, db, texts, classifier, estates (ESTATES_FILE, else one from the settings),
    roles(settings, every estate's groups), outbox
    scheduler(db, clock)                      profiles(db, clock)
    tickets(settings, clock, db, texts, outbox, scheduler, estates, roster)
    notices(settings, clock, db, texts, outbox, scheduler, tickets, profiles)
    privacy(settings, clock, db, scheduler)   (/mydata, the daily retention job)
    flows(FlowContext(settings, clock, texts, outbox, profiles, tickets, notices, classifier),
          store=ConversationStore(db, clock), locks=KeyedLocks())
    desk = FrontDesk(flows) (bot/handlers/resident/), then flows.desk = desk
    staff guard, blocked reporter             handlers -> router
    App(...) ; intake(app.handle, ...)
    job_table -> scheduler.register ;  delivery_hooks -> outbox.on_* lists
    cluster (several processes): on_lead / on_follow -> scheduler, notices; on_tick -> intake
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.app import App
from bot.cluster import ChatLocks, Cluster
from bot.config import Settings
from bot.core.clock import Clock, SystemClock
from bot.core.ports import JobHandler
from bot.core.roles import Roles
from bot.dashboard import links as dashboard_links
from bot.delivery.blocked import BlockedReporter
from bot.delivery.outbox import BlockedHook, FailureHook, MigratedHook, Outbox
from bot.delivery.staff import StaffChatGuard
from bot.estates import Estates
from bot.flows.advice_model import AdviceReader
from bot.flows.context import FlowContext
from bot.flows.engine import FlowEngine
from bot.flows.locks import KeyedLocks
from bot.flows.store import ConversationStore
from bot.handlers import Router
from bot.handlers.manager import ManagerHandler
from bot.handlers.resident import FrontDesk, ResidentHandler
from bot.handlers.staff import StaffHandler
from bot.intake import CONCURRENCY, Intake
from bot.intents import Classifier
from bot.notices.context import NoticeFlowContext
from bot.notices.flow import NoticeFlow
from bot.notices.service import NoticeService
from bot.notices.shared_rate import PostgresSlots, RedisSlots, SharedRateLimiter, SlotStore
from bot.privacy import RETENTION_JOB, PrivacyService
from bot.profiles import ProfileService
from bot.scheduling.scheduler import JobScheduler
from bot.stats.export import RequestLog
from bot.stats.service import StatsService
from bot.storage.db import Database
from bot.texts import Texts
from bot.tickets import jobs
from bot.tickets.roster import Roster
from bot.tickets.service import TicketService


def job_table(
    tickets: TicketService, notices: NoticeService, privacy: PrivacyService
) -> dict[str, JobHandler]:
    """Every scheduled job kind and the handler that runs it (stored jobs name the kind)."""
    return {
        jobs.CLAIM_REMINDER: tickets.reminders.claim_reminder_job,
        jobs.ONSITE_REMINDER: tickets.reminders.onsite_reminder_job,
        jobs.AUTO_CLOSE: tickets.feedback.auto_close_job,
        jobs.FOLLOWUP: tickets.followups.followup_job,
        jobs.REPORT_REMINDER: tickets.reports.reminder_job,
        jobs.DUE: tickets.reminders.due_job,
        jobs.DIGEST: tickets.digest.digest_job,
        "notice.start": notices.job_start,
        "notice.remind": notices.job_remind,
        "notice.due": notices.job_due,
        "outage.sweep": notices.clusters.job_sweep,
        "outage.alert": notices.clusters.job_alert,
        RETENTION_JOB: privacy.retention_job,
    }


@dataclass(frozen=True)
class DeliveryHooks:
    """What the outbox calls when a delivery says something about a chat."""

    on_blocked: list[BlockedHook]  # the chat refuses the bot (403)
    on_migrated: list[MigratedHook]  # a group became a supergroup
    on_must_reach_failure: list[FailureHook]  # the staff group is unreachable


def delivery_hooks(
    profiles: ProfileService, guard: StaffChatGuard, blocked: BlockedReporter
) -> DeliveryHooks:
    return DeliveryHooks(
        on_blocked=[profiles.mark_unreachable, blocked],  # in this order
        on_migrated=[guard.migrated],
        on_must_reach_failure=[guard.failed],
    )


def shared_broadcast_rate(settings: Settings, db: Database) -> SharedRateLimiter:
    """Several processes: one broadcast rate for all, in Redis when REDIS_URL is set, else
    in PostgreSQL."""
    slots: SlotStore = RedisSlots(settings.redis_url) if settings.redis_url else PostgresSlots(db)
    return SharedRateLimiter(slots, settings.broadcast_rate_per_second)


def take_back(outbox: Outbox, cluster: Cluster) -> Callable[[], Awaitable[None]]:
    async def hook() -> None:  # the leader: rows claimed by a dead process go back now
        await outbox.release_dead(await cluster.live_instances())

    return hook


def wake(notices: NoticeService) -> Callable[[], Awaitable[None]]:
    async def hook() -> None:  # a new leader resumes a broadcast the old one left
        notices.wake()

    return hook


def load_texts(settings: Settings) -> Texts:
    return Texts.load(
        settings.locales_dir,
        default=settings.locale,
        traditional="s2hk" if settings.region == "HK" else "s2tw",
    )


async def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    classifier: Classifier | None = None,
) -> App:
    """Build the application. Call `await app.start()` before feeding it updates."""
    settings = settings or Settings()
    clock = clock or SystemClock()
    db = Database(settings.database_url)
    texts = load_texts(settings)
    if classifier is None:
        classifier = Classifier.from_locales(settings.locales_dir)
    advice = (  # a stand-in classifier (tests) has no features to read with
        AdviceReader.load(settings.locales_dir / "zh", classifier.featurizer)
        if isinstance(classifier, Classifier)
        else None
    )
    estates = Estates.load(settings)  # EstatesError at start: a malformed file is named
    roles = Roles(
        settings, team_chats=estates.group_chats, estate_managers=estates.estate_managers
    )
    cluster = Cluster(settings.database_url, enabled=settings.clustered)
    instance = cluster.instance if cluster.enabled else None
    outbox = Outbox(db, clock, instance=instance)

    scheduler = JobScheduler(db, clock, shared=cluster.enabled)
    profiles = ProfileService(db, clock)
    tickets = TicketService(
        settings=settings,
        clock=clock,
        db=db,
        texts=texts,
        outbox=outbox,
        scheduler=scheduler,
        estates=estates,
        roster=Roster.load(settings.duty_roster_file, settings.timezone),
    )
    notices = NoticeService(
        settings=settings,
        clock=clock,
        db=db,
        texts=texts,
        outbox=outbox,
        scheduler=scheduler,
        tickets=tickets,
        profiles=profiles,
        limiter=shared_broadcast_rate(settings, db) if cluster.enabled else None,
        may_send=cluster.is_leader,
        estates=estates,
    )
    privacy = PrivacyService(settings=settings, clock=clock, db=db, scheduler=scheduler)
    flows = FlowEngine(
        FlowContext(
            settings=settings,
            clock=clock,
            texts=texts,
            outbox=outbox,
            profiles=profiles,
            tickets=tickets,
            notices=notices,
            classifier=classifier,
            privacy=privacy,
            estates=estates,
            advice=advice,
        ),
        store=ConversationStore(db, clock),
        locks=KeyedLocks(),
    )
    desk = FrontDesk(flows)
    flows.desk = desk
    guard = StaffChatGuard(
        settings=settings, clock=clock, db=db, texts=texts, outbox=outbox,
        groups=estates,
    )
    blocked = BlockedReporter(roles=roles, clock=clock, texts=texts, outbox=outbox, tickets=tickets)

    handlers = Router(
        roles,
        [
            StaffHandler(
                settings=settings, roles=roles, texts=texts, outbox=outbox, tickets=tickets
            ),
            ManagerHandler(
                settings=settings,
                roles=roles,
                clock=clock,
                texts=texts,
                outbox=outbox,
                notices=notices,
                flow=NoticeFlow(
                    NoticeFlowContext(
                        settings=settings,
                        clock=clock,
                        db=db,
                        texts=texts,
                        outbox=outbox,
                        notices=notices,
                        estates=estates,
                    )
                ),
                stats=StatsService(
                    settings=settings,
                    clock=clock,
                    db=db,
                    texts=texts,
                    fmt=tickets.fmt,
                    notices=notices,
                    estates=estates,
                ),
                log=RequestLog(settings=settings, db=db, texts=texts, estates=estates),
                estates=estates,
                dashboard_links=lambda user, name: app_links(user, name),
            ),
            ResidentHandler(flows=flows, desk=desk, profiles=profiles, texts=texts, outbox=outbox),
        ],
    )
    app = App(
        settings=settings,
        clock=clock,
        db=db,
        texts=texts,
        classifier=classifier,
        roles=roles,
        outbox=outbox,
        scheduler=scheduler,
        profiles=profiles,
        tickets=tickets,
        notices=notices,
        flows=flows,
        router=handlers,
        staff_guard=guard,
        cluster=cluster,
        privacy=privacy,
    )

    def app_links(user_id: str, name: str) -> tuple[str, str]:
        return dashboard_links(app, user_id, name)

    app.intake = Intake(
        app.handle,
        settings=settings,
        clock=clock,
        db=db,
        texts=texts,
        outbox=outbox,
        classifier=classifier,
        instance=instance,
        live=cluster.live_instances,
        chat_locks=ChatLocks(settings.database_url, CONCURRENCY + 1) if cluster.enabled else None,
        early_line=lambda incoming: (
            None
            if roles.is_staff_chat(incoming.chat_id) or roles.is_staff(incoming.user_id)
            or roles.is_manager(incoming.user_id)
            else desk.base.life_saving_line(incoming)
        ),
    )
    cluster.on_lead.extend([scheduler.lead, wake(notices), app.resume_opening])
    cluster.on_follow.append(scheduler.follow)
    cluster.on_tick.extend([app.intake.adopt, take_back(outbox, cluster)])

    for kind, handler in job_table(tickets, notices, privacy).items():
        scheduler.register(kind, handler)
    hooks = delivery_hooks(profiles, guard, blocked)
    outbox.on_blocked.extend(hooks.on_blocked)
    outbox.on_migrated.extend(hooks.on_migrated)
    outbox.on_must_reach_failure.extend(hooks.on_must_reach_failure)
    outbox.must_reach.add(settings.staff_chat_id)
    # every estate's staff and team groups: retried, supervisors told privately
    outbox.must_reach.update(estates.group_chats)
    return app
