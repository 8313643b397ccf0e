"""The soak as a province runs it: several webhook processes on one PostgreSQL database.

Two or three `taizhang run --webhook` processes share one database and one campaign clock
(`TAIZHANG_CLOCK=<start>@<speed>@<real moment>`); the local Bot API posts each update to
them in turn and passes over one that is down, as a reverse proxy does. Each is killed with
SIGKILL at random moments and started again; the database is restarted once mid-run
(`pg_ctl restart -m fast`). Meanwhile simulated people work (`bench/people.py`): liaisons
submit deliverables, answer forwarded cases (签收, 反馈, 申请延期), do their weekly updates
(some stop half-way, some close an item out with a photo), supervisors forward cases and
approve close-outs and extensions, an admin moves a deadline. The first kill is aimed: a
chatter spends a group's budget with a burst of `/help`, and the process that holds some of
the answers waiting for it is killed while they wait. `bench/rules.py` counts the result
against the rules.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from bench.people import STEP_WAIT, Admin, Chatter, Desk, Liaison, Person, Supervisor
from bench.rules import Plan, tally
from bot.config import Settings
from bot.sandbox.api import LocalBotApi
from bot.serve.campaign_file import read_campaign_file
from storage import campaigns, chats, ledger, people
from storage.audit import Stamp
from storage.db import Database
from storage.models import OutboxMessage, saved_id
from tests.pgserver import ThrowawayServer, free_port
from tests.processes import PUBLIC_URL, BotProcess, bot_env, wait_until
from workflows.people.roles import Role
from workflows.problems.ledger import LedgerSpec, item_columns

START = datetime.fromisoformat("2024-05-13T08:00+08:00")  # a Monday; no holiday for weeks
ADMIN_ID = 990001
CAMPAIGN = """name: 省级浸泡测试专项整治
year: 2024
timezone: Asia/Shanghai
units: [{units}]
deadlines:
{deadlines}
weekly_report: {{weekday: 周一, time: "18:00", name: 工作台账}}
reminders: [3d, 1d, 2h]
feedback: {{working_days: 2, cutoff: "18:00"}}
"""
DELIVERABLES = ("整改方案", "自查自纠阶段总结", "问题清单")
STARTING = 20.0  # real seconds for the processes to start before the campaign's clock runs
# (under a load of 10 on two cores they took 20–22 s: 12 s let the clock run 8–10 campaign hours
# before the first planner pass)
BURST = 24  # a chatter's commands at once, per process: 20 a minute each go, the rest wait
CHATTER_ID = 880001
FROZEN_FOR = 0.3  # real seconds a process is frozen before the aimed kill: its last request read
NOTED_WITHIN = 2  # real seconds a running process takes at most to note what Telegram took
SPENT = 15  # answers a process sent in the chatter's group when its budget counts as spent
# (of 20 a minute: the group's own notices take some)
CHATTER_UNIT = "闲聊县"  # a unit no liaison reports for: its group is the chatter's


class SharedClock:
    """Campaign time as every process and the driver read it: `start` at the real moment
    `real`, running `speed` times faster."""

    def __init__(self, start: datetime, speed: float, real: float) -> None:
        self.start, self.speed, self.real = start.astimezone(UTC), speed, real

    def __call__(self) -> datetime:
        return self.at(time.time())

    def at(self, real: float) -> datetime:
        """The real moment `real` (seconds since the epoch) on the campaign's clock."""
        return self.start + timedelta(seconds=(real - self.real) * self.speed)

    @property
    def setting(self) -> str:
        """Its TAIZHANG_CLOCK value."""
        at = datetime.fromtimestamp(self.real, UTC).isoformat()
        return f"{self.start.isoformat()}@{self.speed:g}@{at}"


def local(day: int, hhmm: str) -> datetime:
    """A moment of the campaign: `day` days after the first Monday, at local `hhmm`."""
    hh, mm = map(int, hhmm.split(":"))
    return (START + timedelta(days=day)).replace(hour=hh, minute=mm).astimezone(UTC)


def schedule_of(days: float) -> dict[str, datetime]:
    """The deliverables' due times within a window of `days`."""
    last = max(1, int(days) - 1)
    return {
        DELIVERABLES[0]: local(1, "18:00"),
        DELIVERABLES[1]: local(max(1, last // 2 + 1), "12:00"),
        DELIVERABLES[2]: local(last, "18:00"),
    }


@dataclass
class World:
    """The campaign's people and chats."""

    units: list[str]
    groups: dict[str, dict[str, Any]]
    liaisons: dict[str, dict[str, Any]]
    supervisors: list[dict[str, Any]]
    admin: dict[str, Any]
    dues: dict[str, datetime]
    chatter: dict[str, Any]  # the chatter's group
    deadline_ids: dict[str, int] = field(default_factory=dict)


def setup(api: LocalBotApi, db: Database, tmp: Path, units: int, days: float) -> World:
    """The campaign at its start: a bound group, a liaison and two open items per unit, two
    supervisors, and the admin."""
    names = [f"第{i:02d}县" for i in range(1, units + 1)]
    dues = schedule_of(days)
    # the deliverables are the reporting units' (not the chatter's: its group's budget is
    # spent by design, and a reminder it held back past a moved deadline is withdrawn)
    listing = "\n".join(
        f'  - {{due: "{due.astimezone(START.tzinfo):%Y-%m-%d %H:%M}", deliverable: {name}, '
        f"units: [{', '.join(names)}]}}"
        for name, due in dues.items()
    )
    path = tmp / "province.yaml"
    listed = ", ".join([*names, CHATTER_UNIT])
    path.write_text(CAMPAIGN.format(units=listed, deadlines=listing), encoding="utf-8")
    stamp = Stamp(START.astimezone(UTC))
    world = World(
        names,
        {n: api.group(f"{n}专项整治联络群") for n in names},
        {n: api.user(700001 + i, f"联络员{i + 1:02d}") for i, n in enumerate(names)},
        [api.user(800001 + i, f"督办{'甲乙'[i]}") for i in range(2)],
        api.user(ADMIN_ID, "王管理"),
        dues,
        api.group(f"{CHATTER_UNIT}工作群"),
    )
    with db.unit_of_work() as s:
        camp, _ = campaigns.save_campaign(
            s, read_campaign_file(str(path), Settings(_env_file=None)), stamp
        )
        units_by_name = {u.name: u for u in campaigns.units_of(s, saved_id(camp))}
        for d in campaigns.deadlines_of(s, saved_id(camp)):
            world.deadline_ids[d.deliverable] = saved_id(d)
        for name in names:
            group, unit = world.groups[name], units_by_name[name]
            chat = chats.ensure_chat(
                s, chat_id=group["id"], kind="supergroup", title=group["title"]
            )
            chats.bind(s, chat, saved_id(unit), stamp)
            _person(s, world.liaisons[name], Role.LIAISON, saved_id(unit), stamp)
            for n in (1, 2):
                values = {"name": f"{name}问题{n}", "due_on": "2024-12-31"}
                ledger.create_item(s, unit, item_columns(values, LedgerSpec()), stamp)
        for sup in world.supervisors:
            _person(s, sup, Role.SUPERVISOR, None, stamp)
        # the chatter's group: a unit's of its own, where nobody reports (its reminders owed)
        chat = chats.ensure_chat(
            s, chat_id=world.chatter["id"], kind="supergroup", title=world.chatter["title"]
        )
        chats.bind(s, chat, saved_id(units_by_name[CHATTER_UNIT]), stamp)
    return world


def _person(s: Any, user: dict[str, Any], role: Role, unit_id: int | None, stamp: Stamp) -> None:
    person = people.touch_person(
        s, user_id=user["id"], username=None, display_name=user["first_name"], stamp=stamp
    )
    people.set_role(s, person, role, unit_id, stamp)


def working_moment(rng: random.Random, after: datetime, before: datetime) -> datetime | None:
    """A moment between 09:00 and 17:30 local time, within (after, before); None if none."""
    for _ in range(50):
        at = after + (before - after) * rng.random()
        hm = at.astimezone(START.tzinfo).time()
        if (9, 0) <= (hm.hour, hm.minute) <= (17, 30):
            return at
    return None


def near_a_stage(at: datetime, due: datetime, margin: timedelta) -> bool:
    """Whether `at` falls within `margin` of one of a deadline's stages (too close to say
    which side of it a submission lands on)."""
    stages = [due - timedelta(days=3), due - timedelta(days=1), due - timedelta(hours=2), due]
    return any(abs(at - s) < margin for s in stages)


def agendas(
    world: World, desk: Desk, rng: random.Random, end: datetime
) -> tuple[list[Liaison], list[Supervisor], Admin]:
    """Everyone's plans for the run."""
    begin = START.astimezone(UTC)
    liaisons = [
        Liaison(desk, world.liaisons[n], random.Random(rng.random()), n, world.groups[n])
        for n in world.units
    ]
    supervisors = [Supervisor(desk, u, random.Random(rng.random())) for u in world.supervisors]
    admin = Admin(desk, world.admin, random.Random(rng.random()))
    moved = world.dues[DELIVERABLES[1]]
    move_at = moved - timedelta(days=1, hours=2)
    if begin < move_at < end:
        new_due = (moved + timedelta(days=1, hours=5)).astimezone(START.tzinfo)
        admin.plan(move_at, lambda: admin.move(DELIVERABLES[1], f"{new_due:%-m月%-d日%H:%M}"))
    for li in liaisons:
        for name, due in world.dues.items():
            if li.rng.random() < 0.25:  # never submits this one
                continue
            for _ in range(20):
                at = working_moment(
                    li.rng, max(begin, due - timedelta(days=3)), due + timedelta(hours=20)
                )
                if at is not None and not near_a_stage(at, due, timedelta(minutes=75)):
                    li.plan(at, lambda li=li, name=name: li.submit(name))
                    break
        monday = begin
        while monday < end:
            if li.rng.random() < 0.85:
                at = working_moment(
                    li.rng, monday + timedelta(hours=1), monday + timedelta(hours=8)
                )
                if at is not None:
                    close = li.rng.random() < 0.3
                    stop = 2 if li.rng.random() < 0.2 else None
                    li.plan(at, lambda li=li, c=close, a=stop: li.weekly(close_out=c, abandon_at=a))
            monday += timedelta(days=7)
    for i, unit in enumerate(world.units):
        sup = supervisors[i % len(supervisors)]
        at = working_moment(sup.rng, begin + timedelta(hours=1), end - timedelta(days=2))
        if at is not None:
            sup.plan(at, lambda s=sup, u=unit: s.forward(u, f"反映{u}安置房逾期未交付"))
    return liaisons, supervisors, admin


class Fleet:
    """The webhook processes, each on a port of its own, killed and started again."""

    def __init__(self, env: dict[str, str], tmp: Path, count: int) -> None:
        self.env, self.tmp = env, tmp
        self.ports = [free_port() for _ in range(count)]
        self.procs = [self._new(i) for i in range(count)]
        self.starts = 0
        self.crashed = 0  # exited by themselves (restarted)

    def _new(self, i: int) -> BotProcess:
        port = self.ports[i]
        args = ("--webhook", "--listen", f"127.0.0.1:{port}", "--url", PUBLIC_URL)
        proc = BotProcess(self.env, self.tmp / f"bot{i + 1}.log", *args)
        proc.port = port
        return proc

    @property
    def backends(self) -> list[str]:
        return [p.backend for p in self.procs]

    def holding(self, worker: str) -> int | None:
        """Which process an outbox claim names ("host:pid"), if one of ours still runs."""
        for i, proc in enumerate(self.procs):
            pid = proc.proc.pid if proc.proc is not None and proc.proc.poll() is None else None
            if pid is not None and worker == f"{socket.gethostname()}:{pid}":
                return i
        return None

    def start(self, i: int) -> None:
        self.procs[i] = self._new(i).start()
        self.starts += 1

    def kill(self, i: int) -> None:
        self.procs[i].kill()

    def revive(self) -> None:
        """Start again a process that exited by itself (it found the database restarting)."""
        for i, proc in enumerate(self.procs):
            if proc.proc is not None and proc.proc.poll() is not None:
                self.crashed += 1
                self.start(i)

    def stop(self) -> None:
        for proc in self.procs:
            proc.kill()

    def logs(self) -> str:
        return "\n".join(
            p.read_text(encoding="utf-8", errors="replace")
            for p in sorted(self.tmp.glob("bot*.log"))
        )


async def province(
    *,
    units: int,
    days: float,
    speed: float,
    processes: int,
    kills: int,
    seed: int,
    tmp: Path,
    failure_rate: float = 0.0,
    keep: Path | None = None,
) -> dict[str, Any]:
    """One run; returns its figures."""
    rng = random.Random(seed)
    server = ThrowawayServer()
    url = server.start()
    api = LocalBotApi()
    base = await api.start()
    db = Database.open(url)
    world = setup(api, db, tmp, units, days)
    clock = SharedClock(START, speed, time.time() + STARTING)
    api.now = lambda: clock().timestamp()
    env = bot_env(
        api,
        base,
        url,
        TAIZHANG_CLOCK=clock.setting,
        TAIZHANG_ADMIN_IDS=str(ADMIN_ID),
        TAIZHANG_PLANNER_INTERVAL="0.1",
        TAIZHANG_DELIVERY_INTERVAL="0.05",
        TAIZHANG_CLAIM_TIMEOUT=str(10 * speed),  # 10 real seconds, in campaign seconds
        TAIZHANG_SEND_RATE=f"{28 / processes:g}",
    )
    fleet = Fleet(env, tmp, processes)
    api.hook.backends = fleet.backends  # the proxy: in turn, passing over one that is down
    api.hook.parallel = 8
    begin = START.astimezone(UTC)
    end = begin + timedelta(days=days)
    span = days * 86400 / speed  # real seconds of campaign time
    plan = Plan(begin, end, speed, at_real=clock.at)
    desk = Desk(api, clock, speed)
    liaisons, supervisors, admin = agendas(world, desk, rng, end)
    everyone: list[Person] = [*liaisons, *supervisors, admin]
    chatter = Chatter(
        desk, api.user(CHATTER_ID, "话多"), random.Random(rng.random()), world.chatter
    )
    moments = sorted(rng.uniform(0.05, 0.95) * span for _ in range(kills))
    # the first kill is aimed: after the start's catch-up, early enough for the burst's last
    # answers (a minute later)
    aim_at = min(max(moments[0], 0.15 * span), 0.25 * span) if moments else None
    restart_at = rng.uniform(0.35, 0.65) * span
    counted = 0
    began = time.monotonic()
    aimed = Aimed(chatter, db, api, BURST * processes)
    witness = Witness(api, db)
    phases: dict[str, float] = {}
    try:
        for i in range(processes):
            fleet.start(i)
        for proc in fleet.procs:
            await proc.ready(timeout=60)
        # a loaded machine may start them after the campaign's clock: what fell due meanwhile
        # is told in catch-ups, and the rules count an earlier stage told by a later one lost
        phases["ready after the clock"] = time.time() - clock.real
        await asyncio.sleep(max(0.0, clock.real - time.time()))
        api.failure_rate = failure_rate
        lives = [asyncio.create_task(p.live(end)) for p in everyone]
        watcher = asyncio.create_task(_watch(liaisons, supervisors, fleet, end, clock))
        chaos = asyncio.create_task(
            _chaos(
                fleet,
                server,
                rng,
                moments[1:],
                restart_at,
                clock.real,
                plan,
                clock,
                aimed,
                aim_at,
                witness,
            )
        )
        await asyncio.gather(*lives)
        await chaos
        phases["people done"] = time.monotonic() - began
        watcher.cancel()
        api.failure_rate = 0.0
        with contextlib.suppress(TimeoutError):
            await wait_until(lambda: plan.settled(db), timeout=120)
        phases["outbox settled"] = time.monotonic() - began
        await asyncio.sleep(1.0)
        counted = len(api.sent)
    finally:
        fleet.stop()
        await api.stop()
    desk.settle_waits()
    aside = frozenset({world.chatter["id"]})
    result = tally(
        plan,
        db,
        api,
        api.sent[:counted],
        desk.seen,
        world.deadline_ids,
        aside,
        witness.taken_unnoted,
    )
    if keep is not None:  # the logs and a dump of the database, to look into afterwards
        keep.mkdir(parents=True, exist_ok=True)
        for log in tmp.glob("bot*.log"):
            shutil.copy(log, keep / log.name)
        dump = [str(server.bin / "pg_dump"), "-h", "127.0.0.1", "-p", str(server.port)]
        with (keep / "db.sql").open("wb") as out:
            subprocess.run([*dump, "-U", "postgres", "postgres"], stdout=out, check=False)
        (keep / "sent.json").write_text(json.dumps(api.sent, ensure_ascii=False, indent=1))
    result.update(
        kills=len(moments),
        restarts=fleet.starts - processes,
        aimed=aimed.figures(),
        crashed=fleet.crashed,
        failures=dict(api.random_failures),
        refused=dict(api.hook.refused),
        log=fleet.logs(),
        phases=phases,
    )
    db.engine.dispose()
    server.stop()
    return result


async def _watch(
    liaisons: list[Liaison],
    supervisors: list[Supervisor],
    fleet: Fleet,
    end: datetime,
    clock: SharedClock,
) -> None:
    """People look at their chats; a process that exited by itself is started again."""
    while True:
        for li in liaisons:
            li.watch_cases(end)
        for sup in supervisors:
            sup.watch_requests()
        fleet.revive()
        await asyncio.sleep(0.1)


def unnoted(api: LocalBotApi, db: Database, since: int) -> set[tuple[int, int]]:
    """What Telegram took (its `since`-th message on) that no outbox row notes as sent:
    (chat, message id)."""
    taken = {(m["chat"]["id"], m["message_id"]) for m in api.sent[since:]}
    with db.unit_of_work() as s:
        noted = s.exec(
            select(OutboxMessage.chat_id, OutboxMessage.telegram_message_id).where(
                col(OutboxMessage.telegram_message_id).is_not(None)
            )
        )
        return taken - {(chat, int(mid or 0)) for chat, mid in noted}


@dataclass
class Witness:
    """The random kills, watched: what Telegram had taken from the process killed and it had
    not yet noted as sent. Only such a message can be sent twice by no fault of the bot's
    (Telegram takes no idempotency key); any other second copy is a fault."""

    api: LocalBotApi
    db: Database
    taken_unnoted: set[tuple[int, int]] = field(default_factory=set)

    async def kill(self, fleet: Fleet, i: int) -> None:
        """Freeze process `i`, let Telegram finish what it had written and the other processes
        note theirs, keep what is still not noted (the frozen one's), then SIGKILL it."""
        proc = fleet.procs[i].proc
        if proc is None or proc.poll() is not None:
            fleet.kill(i)
            return
        since = max(0, len(self.api.sent) - 200)
        os.kill(proc.pid, signal.SIGSTOP)
        await asyncio.sleep(FROZEN_FOR)
        left = await asyncio.to_thread(unnoted, self.api, self.db, since)
        for _ in range(NOTED_WITHIN * 10):  # others note theirs within moments, the frozen never
            if not left:
                break
            await asyncio.sleep(0.1)
            left &= await asyncio.to_thread(unnoted, self.api, self.db, since)
        self.taken_unnoted |= left
        fleet.kill(i)


@dataclass
class Aimed:
    """The aimed kill: a chatter's burst spends a group's budget, and a process is killed
    while answers it made or tried wait in the database for the budget."""

    chatter: Chatter
    db: Database
    api: LocalBotApi
    count: int
    burst: asyncio.Task[None] | None = None
    waiting: int = 0  # answers waiting for the group's budget when the kill landed
    aimed: bool = False  # the kill found its moment (not the random one after 30 s)
    held_by_killed: int = 0  # of them, made or last tried by the process killed

    def replies(self) -> list[OutboxMessage]:
        """The answers to the chatter kept in the outbox."""
        with self.db.unit_of_work() as s:
            return list(
                s.exec(
                    select(OutboxMessage).where(
                        OutboxMessage.chat_id == self.chatter.group["id"],
                        OutboxMessage.kind == "reply",
                    )
                )
            )

    def unnoted(self, since: int) -> set[tuple[int, int]]:
        """What Telegram took (its `since`-th message on) that no outbox row notes as sent."""
        return unnoted(self.api, self.db, since)

    async def kill(self, fleet: Fleet, rng: random.Random) -> int:
        """Start the burst; once a process has spent its budget for the group (`SPENT` sent
        there) and answers it made or tried wait for it, freeze that process (SIGSTOP), let
        Telegram finish what it had already written, and kill it if everything Telegram took
        (in any chat) is noted as sent and answers it tried still wait — else let it go on
        and try again (a random process
        is killed if no such moment comes within 30 s). Returns the process killed.

        A kill between Telegram's taking an answer and its noting can only be followed by a
        second send or a loss (Telegram takes no idempotency key): the aimed kill lands past
        it, while answers wait for the budget; the random kills may still land there."""
        since = len(self.api.sent)
        self.burst = asyncio.create_task(self.chatter.burst(self.count))
        end = time.monotonic() + 30

        def spent() -> list[int]:
            rows = self.replies()
            sent = Counter(r.claimed_by for r in rows if r.status == "sent")
            waiting = Counter(r.claimed_by for r in rows if r.status == "pending")
            return [
                i
                for w, _ in waiting.most_common()
                if sent[w] >= SPENT and (i := fleet.holding(w)) is not None
            ]

        while time.monotonic() < end:
            found = spent()
            if not found:
                await asyncio.sleep(0.1)
                continue
            victim = found[0]
            frozen = fleet.procs[victim].proc
            if frozen is None:  # exited meanwhile: look again in a moment
                await asyncio.sleep(0.1)
                continue
            os.kill(frozen.pid, signal.SIGSTOP)
            await asyncio.sleep(FROZEN_FOR)  # what it wrote before the stop reaches Telegram
            if not self.unnoted(since):
                self._note_waiting(fleet, victim)
                if self.held_by_killed:  # not all taken over by another process meanwhile
                    self.aimed = True
                    fleet.kill(victim)
                    return victim
            os.kill(frozen.pid, signal.SIGCONT)
            await asyncio.sleep(0.1)
        victim = rng.randrange(len(fleet.procs))
        self._note_waiting(fleet, victim)
        fleet.kill(victim)
        return victim

    def _note_waiting(self, fleet: Fleet, victim: int) -> None:
        rows = [r for r in self.replies() if r.status == "pending"]
        self.waiting = len(rows)
        self.held_by_killed = sum(fleet.holding(r.claimed_by) == victim for r in rows)

    async def done(self) -> None:
        """Wait for the burst's answers (or its time-out)."""
        if self.burst is not None:
            await self.burst

    def figures(self) -> dict[str, int]:
        return {
            "sent": len(self.chatter.asked),
            "waiting": self.waiting,
            "held": self.held_by_killed,
            "aimed": int(self.aimed),
        }


async def _chaos(
    fleet: Fleet,
    server: ThrowawayServer,
    rng: random.Random,
    moments: list[float],
    restart_at: float,
    began: float,
    plan: Plan,
    clock: SharedClock,
    aimed: Aimed,
    aim_at: float | None,
    witness: Witness,
) -> None:
    """SIGKILL a process at each moment (started again at once), the first aimed at one whose
    answers wait for a spent group budget; the database restarted once."""
    events = [(m, "kill") for m in moments] + [(restart_at, "restart")]
    events = sorted(events + ([(aim_at, "aimed")] if aim_at is not None else []))
    for moment, what in events:
        await asyncio.sleep(max(0.0, began + moment - time.time()))
        if what in ("kill", "aimed"):
            if what == "aimed":
                i = await aimed.kill(fleet, rng)
            else:
                i = rng.randrange(len(fleet.procs))
                await witness.kill(fleet, i)
            plan.killed(clock())
            fleet.start(i)
        else:
            down = clock()
            await asyncio.to_thread(server.restart)
            plan.outage(down, clock())
    await aimed.done()


def report(n: int, r: dict[str, Any], speed: float) -> None:
    """What one run counted, and the first few of whatever went wrong."""
    fails = ", ".join(f"{k} {v}" for k, v in sorted(r["failures"].items())) or "none"
    saved = r["saved"]
    print(
        f"run {n}: {r['units']} units, {r['kills']} SIGKILLs ({r['crashed']} more exits), "
        f"1 database restart, API failures injected: {fails}; 503s answered: "
        f"{r['refused'].get(503, 0)}"
    )
    print(
        f"  notifications: {r['owed']} owed by the rules ({r['either']} too close to call, "
        f"{r['not_owed']} not owed), {r['expected']} planned, {r['delivered']} delivered, "
        f"{r['withdrawn']} withdrawn ({len(r['overtaken'])} owed, held back and withdrawn "
        f"once done: {_held(r['overtaken'], speed)}) — "
        f"lost {len(r['lost']) + len(r['lost_rule'])}, "
        f"doubled {len(r['doubled'])}, wrongly sent {len(r['wrong'])}, late {r['late']}, "
        f"worst delay {r['worst']:.0f} s of campaign time ({r['worst'] / speed:.1f} s real)"
    )
    print(
        f"  random kills: {r['taken_unnoted']} messages Telegram had taken from the process "
        f"killed and it had not yet noted as sent; sent again: {len(r['doubled_by_kill'])} "
        "(Telegram takes no idempotency key: counted apart from doubled)"
    )
    aimed = r["aimed"]
    print(
        f"  aimed kill ({'at its moment' if aimed['aimed'] else 'none came: at random'}): "
        f"{aimed['sent']} /help at once in one group, {aimed['waiting']} answers "
        f"waiting for its budget at the kill, {aimed['held']} of them made or tried by the "
        f"process killed; replies kept in the outbox: {r['replies']}, "
        f"unsent {len(r['replies_unsent'])}"
    )
    print(
        f"  people: {r['flows']} flows, {r['steps']} steps answered, "
        f"{len(r['unanswered'])} unanswered, {len(r['answered_late'])} answered after the "
        f"person stopped waiting ({STEP_WAIT:.0f} s), {len(r['unexpected'])} answered "
        "unexpectedly, "
        f"{len(r['doubled_replies'])} answered twice; {r['presses']} presses, "
        f"{len(r['presses_unanswered'])} unanswered, {r['late_answers']} answers refused as "
        f"late, worst answer {r['answer_worst']:.2f} s"
    )
    print(
        f"  saved: {saved['submissions']} submissions, {saved['weekly']} weekly reports, "
        f"{saved['feedback']} feedbacks, {saved['closed']} close-outs, "
        f"{saved['extensions_decided']} extension decisions ({saved['confirmed']} confirmed "
        f"to people) — lost {len(saved['lost'])}, doubled {len(saved['doubled'])}"
    )
    problems = [
        *(f"lost (owed): {o.key} — {o.why} at {o.at:%m-%d %H:%M}" for o in r["lost_rule"]),
        *(f"lost (outbox): {x.id} {x.chat_id} {x.status} {x.last_error!r}" for x in r["lost"]),
        *(f"doubled: {m['chat']['id']} {m.get('text', '')[:60]!r}" for m in r["doubled"]),
        *(
            f"sent again after a kill: {m['chat']['id']} {m.get('text', '')[:60]!r}"
            for m in r["doubled_by_kill"]
        ),
        *(f"wrongly sent: {w}" for w in r["wrong"]),
        *(f"unanswered: {u}" for u in r["unanswered"]),
        *(f"answered late: {u}" for u in r["answered_late"]),
        *(
            f"reply unsent: {x.id} {x.chat_id} {x.status} {x.text[:40]!r}"
            for x in r["replies_unsent"]
        ),
        *(f"unexpected: {u}" for u in r["unexpected"]),
        *(f"answered twice: {d}" for d in r["doubled_replies"]),
        *(f"press unanswered: {q}" for q in r["presses_unanswered"]),
        *(f"saved lost: {x}" for x in saved["lost"]),
        *(f"saved twice: {x}" for x in saved["doubled"]),
    ]
    for line in problems[:40]:
        print(f"    {line}")


def _held(overtaken: list[Any], speed: float) -> str:
    """How long the longest of those waited before what it asked for was done."""
    if not overtaken:
        return "none"
    longest = max(wait for _, wait in overtaken).total_seconds()
    return f"waited up to {longest:.0f} s of campaign time, {longest / speed:.1f} s real"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=20)
    parser.add_argument("--days", type=float, default=8.0, help="campaign days from Monday 08:00")
    parser.add_argument("--speed", type=float, default=3600.0, help="campaign seconds a second")
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--kills", type=int, default=4, help="SIGKILLs a run")
    parser.add_argument("--failures", type=float, default=0.03, help="share of API calls failing")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", type=Path, default=None, help="keep logs and a dump here")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    print(
        f"province soak: {args.units} units, {args.days:g} campaign days from "
        f"{START:%Y-%m-%d %H:%M} at {args.speed:g}x, {args.processes} webhook processes on "
        f"PostgreSQL, {args.kills} SIGKILLs and 1 database restart a run, "
        f"{args.failures:.0%} of API calls failing (seed {seed})"
    )
    for n in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory() as tmp:
            began = time.monotonic()
            result = asyncio.run(
                province(
                    units=args.units,
                    days=args.days,
                    speed=args.speed,
                    processes=args.processes,
                    kills=args.kills,
                    seed=seed + n - 1,
                    tmp=Path(tmp),
                    failure_rate=args.failures,
                    keep=args.keep / f"run{n}" if args.keep else None,
                )
            )
        report(n, result, args.speed)
        errors = Counter(
            line.split(":")[0]
            for line in result["log"].splitlines()
            if re.match(r"^[\w.]+(Error|Exception)\b", line)
        )
        print(f"  exceptions in the bots' logs: {dict(errors) or 'none'}")
        late = result["phases"]["ready after the clock"]
        if late > 0:
            print(
                f"  the processes were ready {late:.0f} s after the campaign's clock started: "
                "what fell due before their first pass was told in catch-ups, where only the "
                "latest stage of each is told and the rules count an earlier one lost"
            )
        steps = ", ".join(f"{k} at {v:.0f} s" for k, v in result["phases"].items())
        print(f"  {time.monotonic() - began:.0f} s in all ({steps})")


if __name__ == "__main__":
    main()
