"""`taizhang demo`: a campaign fortnight, offline, on the real bot and a fast clock.

Everything is the code of `taizhang run` (handlers, planner, outbox, delivery) on a temporary
SQLite file, talking to the local Bot API on 127.0.0.1. Only `now` is simulated: it runs
`speed` times faster than the wall clock and jumps over the quiet stretches between events.
Simulated people's names and what they type are demo data, written here in Chinese.
"""

from __future__ import annotations

import asyncio
import logging
import re
import signal
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

import aiohttp

from bot.sandbox.leave import put_on_leave
from bot.sandbox.sandbox import Sandbox, demo_link, signed_init_data
from bot.sandbox.transcript import CST, Transcript
from bot.serve.campaign_file import TEMPLATES
from bot.usecases.exports import export_workbook
from locales import Translator
from storage import campaigns
from storage.models import saved_id
from workflows.forms.deeplink import BOARD_PAGE, NEW_PAGE, AppLink
from workflows.guards import required
from workflows.messages import Msg, msg
from workflows.week.weekly import PLAN

START = datetime(2024, 4, 29, 0, 30, tzinfo=UTC)  # Monday 29 April 2024, 08:30 in Beijing
WEEK_UNIT = "库尔勒市"  # whose liaison's pages are printed after the fortnight
SUPERVISOR = "supervisor"
DEMO_LINK_LIFETIME = timedelta(
    days=1
)  # on the demo's clock, which stands still after the fortnight
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class PageLink(NamedTuple):
    """A Mini App page printed for a newcomer: which page, its signed URL, the line said."""

    page: str
    url: str
    line: str


Serve = Callable[[list[PageLink]], Awaitable[None]]


class FastClock:
    """Simulated time. It stands still while people act, and between scenes it runs forward
    `speed` times faster than the wall clock (faster still when a scene is far off, so that
    no wait is longer than `longest` real seconds)."""

    def __init__(self, start: datetime, speed: float, longest: float = 2.0) -> None:
        self.base, self.speed, self.longest = start, speed, longest
        self.rate = 0.0
        self.since = time.monotonic()

    def __call__(self) -> datetime:
        return self.base + timedelta(seconds=(time.monotonic() - self.since) * self.rate)

    async def run_to(self, target: datetime) -> None:
        """Let time run until `target`, then stand still there."""
        ahead = (target - self()).total_seconds()
        if ahead <= 0:
            return
        self.base, self.since = self(), time.monotonic()
        self.rate = max(self.speed, ahead / self.longest)
        await asyncio.sleep(ahead / self.rate)
        self.base, self.rate, self.since = target, 0.0, time.monotonic()


class Demo(Sandbox):
    """The sandbox with the people of the demo and their fortnight."""

    def __init__(self, db_url: str, *, campaign: str, speed: float, lang: str, quiet: bool) -> None:
        super().__init__(
            db_url,
            template=campaign,
            start=START,
            locale=lang,
            planner_interval=0.05,
            delivery_interval=0.05,
            mini_app=True,
        )
        self.fast = FastClock(START, speed, longest=2.0 if not quiet else 0.3)
        # the demo's clock runs by itself: nothing calls the test clock's advance() on it
        self.clock = self.fast  # type: ignore[assignment]  # a FastClock is called like a Clock
        self.tr = Translator.load(lang)
        self.lang = lang
        self.transcript = Transcript(self.tr, lang, self.tr.text(msg("demo.bot_name"), lang), quiet)
        self.api.now = lambda: self.clock().timestamp()
        self.api.listeners.append(self.transcript)
        self.quiet = quiet
        self.cast: dict[str, dict[str, Any]] = {}  # the people the pages are opened for

    async def at_rest(self) -> None:
        """The bot restarted at `taizhang run`'s pace, its clock standing still: while its
        pages are served, the fortnight's fast passes would keep a core busy for nothing."""
        self.planner_interval, self.delivery_interval = 5.0, 1.0
        await self.restart()

    def page_links(self) -> list[PageLink]:
        """The Mini App's pages for the demo's people, each signed for its person on the
        clock as the fortnight left it (it stands still while the pages are served)."""
        now = self.clock()
        liaison, supervisor = self.cast[WEEK_UNIT], self.cast[SUPERVISOR]
        with self.database().unit_of_work() as s:
            camp = required(campaigns.active_campaign(s), "the active campaign")
            unit = required(campaigns.unit_named(s, saved_id(camp), WEEK_UNIT), WEEK_UNIT)
            unit_id = saved_id(unit)
        expires = now + DEMO_LINK_LIFETIME
        unit_named = {"unit": WEEK_UNIT}
        pages: tuple[tuple[str, dict[str, Any], AppLink | None, dict[str, str]], ...] = (
            ("week", liaison, None, unit_named),  # the page the menu button opens: the week
            ("new", liaison, AppLink(NEW_PAGE, unit_id, 0, expires), unit_named),
            ("board", supervisor, AppLink(BOARD_PAGE, 0, 0, expires), {}),
        )
        links = []
        for page, user, link, more in pages:
            mine = link and replace(link, user_id=user["id"], chat_id=user["id"])
            url = demo_link(self.settings, user, now, mine)
            if isinstance(url, Msg):
                raise RuntimeError(self.tr.text(url, self.lang))
            said = msg(f"demo.page.{page}", who=user["first_name"], url=url, **more)
            links.append(PageLink(page, url, self.tr.text(said, self.lang)))
        return links

    def say(self, message: Msg) -> None:
        """A line of the demo's own on the terminal."""
        print(self.tr.text(message, self.lang), flush=True)

    def write(self, out: Path, produced: dict[str, Any]) -> dict[str, Path]:
        """Write the fortnight's outputs into `out`; their paths."""
        paths = {
            "markdown": out / "transcript.md",
            "html": out / "transcript.html",
            "workbook": out / "taizhang.xlsx",
            "chart": out / "summary.png",
            "circular": out / "circular.docx",
            "log": out / "demo.log",
        }
        self.write_transcript(paths)
        with self.database().unit_of_work() as s:
            camp = required(campaigns.active_campaign(s), "the active campaign")
            say = lambda m: self.tr.text(m, self.lang)  # noqa: E731
            export_workbook(s, camp, str(paths["workbook"]), say, now=self.clock())
        paths["chart"].write_bytes(produced["chart"])
        paths["circular"].write_bytes(produced["circular"])
        return paths

    def write_transcript(self, paths: dict[str, Path]) -> None:
        """The transcript so far, as Markdown and as HTML."""
        title = self.label("demo.title")
        paths["markdown"].write_text(self.transcript.markdown(title), encoding="utf-8")
        paths["html"].write_text(self.transcript.html(title), encoding="utf-8")

    def label(self, message_id: str, **params: Any) -> str:
        """A button's label in the demo's language."""
        return self.tr.text(msg(message_id, **params), self.lang, tz=CST)

    async def at(self, day: int, hhmm: str) -> None:
        """Let time run to a moment of the fortnight (day 0 = Monday 29 April); what falls due
        on the way goes out, and the script reads only what comes after."""
        hh, mm = map(int, hhmm.split(":"))
        local = START.astimezone(CST).replace(hour=hh, minute=mm) + timedelta(days=day)
        await self.fast.run_to(local.astimezone(UTC))
        await self.drained(timeout=30)
        for chat in list(self.api.chats.values()):
            self.api.mark_read(chat)


async def fortnight(d: Demo) -> dict[str, Any]:
    """The script: two weeks of a campaign in three counties and a supervisors' group."""
    api, L = d.api, d.label
    units = ["库尔勒市", "轮台县", "尉犁县"]
    groups = {u: api.group(f"{u}专项整治联络群") for u in units}
    sup_group = api.group("自治州专班督办群")
    admin = d.admin
    liaisons = {
        "库尔勒市": api.user(8101, "马丽", "ma_li"),
        "轮台县": api.user(8102, "李明", "li_ming"),
        "尉犁县": api.user(8103, "赵强", "zhao_qiang"),
    }
    sup = api.user(8201, "朱建军", "zhu_jj")
    d.cast = {**liaisons, SUPERVISOR: sup}
    sup_chat, admin_chat = api.private(sup), api.private(admin)
    phones = {"库尔勒市": "13909961234", "轮台县": "0996-4621234", "尉犁县": "13899961234"}

    await d.at(0, "08:40")
    for unit, group in groups.items():
        await api.add_bot_to(group, admin)
        await api.next_message(group)
        await d.command(group, admin, f"/bind {unit}")
    # 朱建军 is in the supervisors' group: what the supervisors hear, he reads there only
    await api.add_member(sup_group, admin, sup)
    ask = await d.command(sup_group, admin, "/bind")
    await d.press(ask, admin, L("bind.supervisors"))
    await d.command(admin_chat, admin, f"/role {sup['id']} supervisor")
    await d.command(sup_chat, sup, "/start")
    await d.at(0, "08:45")  # the week's prompt reaches the groups just bound
    for unit, group in groups.items():
        await register_in_group(d, group, liaisons[unit], "住建局综合科科长", phones[unit])
    for unit, name, due in (
        ("库尔勒市", "天山路片区安置房逾期未交付", "6月30日"),
        ("轮台县", "团结路棚改过渡安置费拖欠", "5月31日"),
    ):
        li, group = liaisons[unit], groups[unit]
        prompt = await d.command(group, li, "/new")  # the form, or step by step: the steps
        prompt = await d.press(prompt, li, L("new.button.steps"))
        for answer in (
            name,
            "群众反映",
            "征收补偿环节",
            "约谈项目单位，限期整改",
            due,
            "date_ok",
            "县住建局 张三",
            "/skip",
            "群众举报",
        ):
            if answer == "date_ok":
                prompt = await d.press(prompt, li, L("form.button.date_ok"))
            elif prompt.get("reply_markup"):
                prompt = await d.press(prompt, li, answer)
            else:
                prompt = await d.answer(prompt, li, answer)
        await d.press(prompt, li, L("form.button.confirm"))  # saved, with the item's card
    await d.at(0, "09:30")

    async def weekly(unit: str, close_out: bool) -> None:
        li, group = liaisons[unit], groups[unit]
        prompt = await d.command(group, li, "/weekly")  # what it covers, and the first item
        if close_out:
            prompt = await d.press(prompt, li, L("weekly.st.done"))
            prompt = await d.answer(prompt, li, "拖欠的过渡安置费已全部补发到户")
            await api.send_file(
                group,
                li,
                name="发放凭证.jpg",
                size=len(VOUCHER),
                photo=True,
                reply_to=prompt,
                content=VOUCHER,
                unique_id=PHOTO_ID,
            )
            prompt = await api.next_message(group)
            prompt = await d.press(prompt, li, L("form.button.done"))
        else:
            await d.tap(prompt, li, L("weekly.st.plan"))  # noted by the press's answer
            prompt = await d.answer(prompt, li, "已完成主体结构验收，正在装修")
        prompt = await d.press(prompt, li, L("weekly.no"))
        await d.press(prompt, li, L("form.button.confirm"))

    # Week 1: 轮台县 closes its problem out, 库尔勒市 reports progress, 尉犁县 forgets.
    await d.at(0, "10:00")
    await weekly("轮台县", close_out=True)
    await weekly("库尔勒市", close_out=False)
    request = await api.next_message(sup_group)
    await d.press(request, sup, L("closeout.approve"))
    await d.at(0, "16:00")
    await d.at(0, "18:00")
    await d.at(0, "18:30")

    # A case forwarded on 30 April: the May Day holidays push its due day to 7 May.
    await d.at(1, "10:00")
    await d.command(sup_chat, sup, "/forward 轮台县 #XF-2024-031 反映团结路安置房漏水未维修")
    await demo_submit(
        d, groups["库尔勒市"], liaisons["库尔勒市"], file="库尔勒市自查自纠阶段总结.pdf"
    )

    for day, hhmm in ((3, "18:00"), (5, "18:00"), (6, "09:00")):  # the 3-day and 1-day stages
        await d.at(day, hhmm)
    await demo_submit(d, groups["轮台县"], liaisons["轮台县"], note="纸质盖章件已送达州住建局")
    await d.at(6, "16:00")  # two hours to go
    await d.at(6, "18:00")  # 5 May: the deadline; 尉犁县 has not submitted

    # Week 2.
    await d.at(7, "08:00")
    await d.at(7, "09:00")
    case_msg = next(
        m
        for m in reversed(api.bot_messages(groups["轮台县"]))
        if "XF-2024-031" in m.get("text", "")
    )
    # 签收 changes the card itself (who signed, and when); no new message follows
    await toast_press(d, case_msg, liaisons["轮台县"], L("case.button.sign"))
    status = await d.answer(case_msg, liaisons["轮台县"], "已组织施工单位上门维修，5月6日完工")
    status = await d.press(status, liaisons["轮台县"], L("feedback.status.done"))
    summary = await d.command(groups["轮台县"], liaisons["轮台县"], "/skip")
    await d.press(summary, liaisons["轮台县"], L("form.button.confirm"))
    await d.command(sup_chat, sup, "/forward 尉犁县 反映塔里木片区补偿款未足额发放")
    await d.at(7, "10:00")
    await weekly_in_form(d, groups["库尔勒市"], liaisons["库尔勒市"])
    await d.at(7, "10:30")  # before the week's deadline (18:00): corrected at once
    await correct_week(d, groups["库尔勒市"], liaisons["库尔勒市"], "主体结构验收已通过，正在装修")
    await d.at(7, "11:00")  # the circular to every unit's group: two read it, 尉犁县 does not
    await d.command(sup_group, sup, "/notice 通报")
    await demo_read_notice(d, groups["库尔勒市"], liaisons["库尔勒市"])
    await demo_read_notice(d, groups["轮台县"], liaisons["轮台县"])
    await d.at(7, "15:00")  # the photo of 轮台-001's close-out, sent again for 库尔勒-001
    await close_with_photo(d, groups["库尔勒市"], liaisons["库尔勒市"], "库尔勒-001")
    request = await api.next_message(sup_group)  # flagged: the same file, who, when, its hash
    why = await d.press(request, sup, L("closeout.reject"))
    await d.answer(why, sup, "印证材料与轮台-001相同，请补充本项目现场照片")
    # 赵强 of 尉犁县 is away 6–8 May and 孙燕, the unit's second liaison, covers: the
    # reminders that fall due meanwhile (the week's two-hour one, the case's, the circular's
    # 已阅) name her in the group and reach her in private; from 9 May they are 赵强's again
    await d.at(7, "15:30")
    deputy = api.user(8104, "孙燕", "sun_yan")
    await register_in_group(d, groups["尉犁县"], deputy, "住建局综合科副科长", "13899965678")
    await d.command(api.private(deputy), deputy, "/start")
    await put_on_leave(d, liaisons["尉犁县"], "5月6日–5月8日", "孙燕")
    # each moment a reminder falls due is a stop of its own: on a clock this fast a planner
    # pass may not meet 16:00 on the way to 18:00, when the week's reminder is moot
    for day, hhmm in (
        (7, "16:00"),
        (7, "18:00"),
        (9, "09:00"),
        (9, "16:00"),
        (9, "18:00"),
        (10, "18:00"),
        (11, "09:00"),
        (12, "09:00"),
    ):
        await d.at(day, hhmm)
    summary = await d.command(sup_chat, sup, "/summary")
    chart = await api.next_message(sup_chat)
    circular = await d.press(summary, sup, L("circular.button"))
    export = await d.command(sup_chat, sup, "/export")
    return {
        "chart": chart.get("payload", b""),
        "circular": circular.get("payload", b""),
        "export": export.get("payload", b""),
    }


SUMMARY = "自查自纠阶段总结及相关印证材料"
# Telegram's file_unique_id of the voucher photo: one file, sent for two problems
PHOTO_ID = "AgADvoucher0429"
# its bytes, as the bot fetches them to keep its SHA-256 (the short hash shown beside it)
VOUCHER = b"\xff\xd8\xff\xe0 the voucher photo of 2024-04-29 \xff\xd9"


async def register_in_group(
    d: Demo, group: dict[str, Any], li: dict[str, Any], title: str, phone: str
) -> None:
    """/register in the unit's group: the name, the post, the phone, confirmed."""
    prompt = await d.command(group, li, "/register")
    for answer in (li["first_name"], title, phone):
        prompt = await d.answer(prompt, li, answer)
    await d.press(prompt, li, d.label("form.button.confirm"))


async def correct_week(d: Demo, group: dict[str, Any], li: dict[str, Any], said: str) -> None:
    """`/correct` before the week's deadline: the unit's one item said again; the group hears
    one 已更正 line."""
    await d.api.send(group, li, "/correct")
    card = await d.api.next_message(group)
    while not card.get("reply_markup"):  # what the correction covers, then the item's card
        card = await d.api.next_message(group)
    await d.tap(card, li, d.label("weekly.st.plan"))
    card = await d.answer(card, li, said)
    summary = await d.press(card, li, d.label("weekly.no"))
    await d.press(summary, li, d.label("form.button.confirm"))


async def demo_read_notice(d: Demo, group: dict[str, Any], li: dict[str, Any]) -> None:
    """已阅 pressed on the notice the group hears next (answered by the press's toast alone)."""
    notice = await d.api.next_message(group)
    await toast_press(d, notice, li, d.label("notices.button"))


async def toast_press(d: Demo, message: dict[str, Any], who: dict[str, Any], label: str) -> None:
    """A press answered by its toast alone (no new message follows): wait for the answer."""
    pressed = await d.api.press(message, who, label)
    await d.api.until(
        lambda: any(a["callback_query_id"] == pressed for a in d.api.callback_answers)
    )


async def close_with_photo(d: Demo, group: dict[str, Any], li: dict[str, Any], code: str) -> None:
    """`/close` by chat with the demo's one photo as its evidence."""
    prompt = await d.command(group, li, f"/close {code}")
    prompt = await d.answer(prompt, li, "已完成整改，安置房已交付")
    await d.api.send_file(
        group,
        li,
        name="现场照片.jpg",
        size=len(VOUCHER),
        photo=True,
        reply_to=prompt,
        content=VOUCHER,
        unique_id=PHOTO_ID,
    )
    got = await d.api.next_message(group)
    summary = await d.press(got, li, d.label("form.button.done"))
    await d.press(summary, li, d.label("form.button.confirm"))


async def weekly_in_form(d: Demo, group: dict[str, Any], li: dict[str, Any]) -> None:
    """The week done in the Mini App, opened from the weekly prompt's button: each item
    answered as the page sends it, one submit; the group hears one summary."""
    prompt = next(m for m in reversed(d.api.bot_messages(group)) if _app_button(m))
    button = required(_app_button(prompt), "the weekly prompt's Mini App button")
    d.api.in_app(group, li, button["text"])
    link = parse_qs(urlsplit(button["url"]).query)["startapp"][0]
    data = signed_init_data(d.settings, li, d.clock(), link)
    headers = {"Authorization": f"tma {data}"}
    async with aiohttp.ClientSession(base_url=d.web_url) as http:
        async with http.get("api/week", headers=headers) as res:
            week = await res.json()
        plan = next(s["label"] for s in week["statuses"] if s["value"] == PLAN)
        for item in week["items"]:
            answer = {"status": PLAN, "progress": "已完成主体结构验收，正在装修"}
            async with http.put(f"api/week/items/{item['id']}", headers=headers, json=answer):
                pass
            d.api.in_app(group, li, f"{item['code']} {plan}：{answer['progress']}")
        async with http.post("api/week/submit", headers=headers) as res:
            done = await res.json()
        d.api.in_app(group, li, d.label("app.ui.submit") + " → " + " ".join(done["said"]))
    await d.api.until(lambda: d.api.bot_messages(group)[-1] is not prompt)


def _app_button(message: dict[str, Any]) -> dict[str, Any] | None:
    for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
        for button in row:
            if "url" in button and "startapp=" in button["url"]:
                found: dict[str, Any] = button
                return found
    return None


async def demo_submit(
    d: Demo, group: dict[str, Any], li: dict[str, Any], *, file: str = "", note: str = ""
) -> None:
    """A liaison submits the stage summary: a file, or a note about the paper copy."""
    pick = await d.command(group, li, "/submit")
    material = await d.press(
        pick, li, d.label("submit.option", deliverable=SUMMARY, due=_due(d, SUMMARY))
    )
    if file:
        await d.api.send_file(group, li, name=file, size=1_200_000, reply_to=material)
        got = await d.api.next_message(group)
    else:
        got = await d.answer(material, li, note)
    summary = await d.press(got, li, d.label("form.button.done"))
    await d.press(summary, li, d.label("form.button.confirm"))


def _due(d: Demo, deliverable: str) -> datetime:
    with d.database().unit_of_work() as s:
        camp = required(campaigns.active_campaign(s), "the active campaign")
        return next(
            x.due_at
            for x in campaigns.deadlines_of(s, saved_id(camp))
            if x.deliverable == deliverable
        )


async def run_demo(
    *,
    out: Path,
    campaign: str = "bazhou-2024",
    speed: float = 600.0,
    lang: str = "zh_CN",
    quiet: bool = False,
    serve: Serve | None = None,
) -> dict[str, Path]:
    """Play the fortnight and write the transcript (Markdown, HTML), workbook, chart, circular
    and log; then, given `serve`, keep the bot and its Mini App running while `serve` runs with
    the pages' links (`until_interrupted`: till Ctrl-C), and write the transcript again with
    what it heard meanwhile."""
    logging.getLogger("telegram").setLevel(logging.WARNING)
    logging.getLogger("aiohttp").setLevel(logging.ERROR)
    out.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp, logs_to(out / "demo.log"):
        demo = Demo(
            f"sqlite:///{Path(tmp) / 'demo.db'}",
            campaign=with_monthly_review(campaign, Path(tmp)),
            speed=speed,
            lang=lang,
            quiet=quiet,
        )
        await demo.start()
        try:
            produced = await fortnight(demo)
            await demo.drained(timeout=30)  # what is due at the fortnight's end is in it too
            paths = demo.write(out, produced)
            if not quiet:
                demo.say(msg("demo.done", seconds=int(time.monotonic() - began)))
                for kind, path in paths.items():
                    print(f"  {demo.label(f'demo.output.{kind}')}: {path}")
            if serve is not None:
                await demo.at_rest()
                links = demo.page_links()
                if not quiet:
                    demo.say(msg("demo.pages"))
                    for link in links:
                        print(link.line, flush=True)
                try:
                    await serve(links)
                finally:  # what the pages made the chats hear, in the transcript too
                    demo.write_transcript(paths)
        finally:
            await demo.stop()
        return paths


def with_monthly_review(campaign: str, folder: Path) -> str:
    """The campaign file with seed 003's monthly 调度 scheduled (`cadences:`), unless it says
    its own: the demo shows April's going out on 6 May, the first working day after May Day."""
    path = Path(campaign)
    text = (path if path.exists() else TEMPLATES / f"{campaign}.yaml").read_text(encoding="utf-8")
    if re.search(r"^cadences:", text, re.MULTILINE):
        return campaign
    out = folder / "campaign.yaml"
    out.write_text(text.rstrip("\n") + "\ncadences:\n  monthly: true\n", encoding="utf-8")
    return str(out)


@contextmanager
def logs_to(path: Path) -> Iterator[None]:
    """Every log line (and warning) into `path` while the demo runs, none on the terminal:
    the terminal is the chats'."""
    root = logging.getLogger()
    kept, level = root.handlers[:], root.level
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root.handlers = [handler]
    root.setLevel(logging.INFO)
    logging.captureWarnings(True)
    try:
        yield
    finally:
        logging.captureWarnings(False)
        root.handlers = kept
        root.setLevel(level)
        handler.close()


async def until_interrupted(links: list[PageLink]) -> None:
    """Serve the pages until Ctrl-C (SIGINT) or SIGTERM, as `taizhang run` serves its own."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def demo_command(out: Path, campaign: str, speed: float, lang: str, *, serve: bool = True) -> int:
    """Entry point of `taizhang demo`: the fortnight, then its pages until Ctrl-C (unless not
    `serve`)."""
    tr = Translator.load(lang)
    print(tr.text(msg("demo.starting", speed=int(speed)), lang), flush=True)
    stopped = tr.text(msg("demo.stopped"), lang)
    try:
        asyncio.run(
            run_demo(
                out=out,
                campaign=campaign,
                speed=speed,
                lang=lang,
                serve=until_interrupted if serve else None,
            )
        )
    except KeyboardInterrupt:  # Ctrl-C before the fortnight's end: cut short, as a shell says
        print(stopped, flush=True)
        return 130
    print(stopped, flush=True)
    return 0
