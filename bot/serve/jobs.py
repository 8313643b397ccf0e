"""The planner and delivery jobs: plan from the database, deliver through the outbox."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine
from zoneinfo import ZoneInfo

from sqlalchemy.exc import DBAPIError

from bot.delivery.enqueue import enqueue
from bot.delivery.sending import delivery_job
from bot.serve.pipeline import FollowUp, pipeline_in
from bot.telegram.hashes import fill_pass
from bot.telegram.services import BotApp, Ctx, Services, services_in
from bot.telegram.source import Source, Speaker
from bot.telegram.turn import Task
from bot.usecases.abandoned import sweep
from bot.usecases.digests import weekly_digests
from bot.usecases.imports import TakenUp, taken_up
from bot.usecases.notices import notice_ladder
from bot.usecases.reviews import scheduled_reviews
from storage import campaigns, planning
from storage.calendar import work_calendar
from storage.outage import unreachable
from workflows.guards import required
from workflows.planner import covered, due_notifications, schedules

logger = logging.getLogger(__name__)
IMPORTS = 5.0  # seconds between looks for an import whose save died (ledger_import.IDLE: 90 s)


def plan_once(services: Services) -> int:
    """One planner pass: plan what is due and put it in the outbox; returns how many."""
    now = services.clock()
    with services.db.unit_of_work() as session:
        camp = campaigns.active_campaign(session)
        if camp is None:
            return 0
        state = planning.planner_state(
            session, camp, admin_ids=services.settings.admin_ids, now=now
        )
        planning.withdraw_moved(session, schedules(state))  # what waited for an old due time
        planned = due_notifications(state, now=now, cal=work_calendar(session))
        planned += weekly_digests(session, camp, now, state.planned)
        tr, lang = services.translator, services.settings.taizhang_locale  # documents' language
        planned += scheduled_reviews(session, camp, now, state.planned, state.span, tr, lang)
        planned += covered(notice_ladder(session, camp, now, state.planned), state, now)
        closed = sweep(session, now)  # drafts whose week is over, each owner told
        return enqueue(services, session, closed + planned, ZoneInfo(camp.timezone), now)


LeaseJob = Callable[[Ctx], Coroutine[object, object, None]]


def lease_holders(
    work: Callable[[Ctx, Services], Awaitable[None]],
) -> LeaseJob:
    """A JobQueue entry that does `work` only in the process holding the planner's lease, and
    says nothing while the database is away (the outage is logged once; the first run after
    it does what fell due meanwhile)."""

    @functools.wraps(work)
    async def job(context: Ctx) -> None:
        services = services_in(context.application.bot_data)
        try:
            if services.lease is not None and not await asyncio.to_thread(services.lease.held):
                return
            await work(context, services)
        except DBAPIError as err:
            if not unreachable(err):
                raise

    return job


@lease_holders
async def planner_job(context: Ctx, services: Services) -> None:
    """One planner pass. It runs in a worker thread: planning a stage for thousands of units
    takes seconds, and the updates this process is serving meanwhile should not wait for it."""
    count = await asyncio.to_thread(plan_once, services)
    if count:
        logger.info("planned %d notification(s)", count)


@lease_holders
async def hashes_job(context: Ctx, services: Services) -> None:
    """The chat files kept without their hash fetched from Telegram and filled in
    (`bot/telegram/hashes.py`); a job of its own, so a slow Telegram (up to 30 s a pass) never
    holds the planner's reminders back."""
    await fill_pass(context.bot, services)


ResumeImport = Callable[[int, str], Task]  # an upload and its runner: the save that goes on


def _taken_up(services: Services) -> list[TakenUp]:
    with services.db.unit_of_work() as session:
        return taken_up(session, services.clock())


def imports_job(resume: ResumeImport) -> LeaseJob:
    """A confirmed import whose save died with its process goes on from its last batch,
    nobody having to press again (`resume` is the chat's save, given by the application)."""

    @lease_holders
    async def imports(context: Ctx, services: Services) -> None:
        pipeline = pipeline_in(context.application.bot_data)
        for t in await asyncio.to_thread(_taken_up, services):
            speaker = Speaker(t.user_id, t.username, t.display_name)
            source = Source(t.chat_id, t.chat_kind, t.chat_title, speaker)
            save = resume(t.upload_id, t.runner)
            context.application.create_task(save.run(FollowUp(pipeline, source)), name="SaveLedger")

    return imports


def schedule(app: BotApp, services: Services, resume: ResumeImport) -> None:
    """Run the planner at start-up and every few seconds, the delivery worker, and the
    imports' watch (`resume`: how an import's save goes on)."""
    jobs = required(app.job_queue, "PTB's job queue (the job-queue extra)")
    kw = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
    jobs.run_repeating(
        planner_job, interval=services.planner_interval, first=0.0, name="planner", job_kwargs=kw
    )
    jobs.run_repeating(
        hashes_job, interval=services.planner_interval, first=0.2, name="hashes", job_kwargs=kw
    )
    jobs.run_repeating(
        delivery_job, interval=services.delivery_interval, first=0.1, name="delivery", job_kwargs=kw
    )
    jobs.run_repeating(
        imports_job(resume), interval=IMPORTS, first=1.0, name="imports", job_kwargs=kw
    )
    logging.getLogger("apscheduler.scheduler").setLevel(
        logging.ERROR
    )  # skipped overlaps are by design
    logging.getLogger("apscheduler.executors.default").setLevel(logging.ERROR)
