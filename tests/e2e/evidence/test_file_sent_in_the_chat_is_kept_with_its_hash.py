"""End to end: a file sent in the chat as evidence is fetched from Telegram and kept with its
SHA-256, as a Mini App upload is; one Telegram would not hand over in time is filled in by the
planner's pass later (after a restart too); one over 20 MB is kept without a hash, saying so."""

from __future__ import annotations

import hashlib
from datetime import UTC
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from storage.models import Evidence, LedgerItem, ProgressUpdate
from tests.e2e.evidence.test_unit_sends_evidence import PHOTO, _close_out, _two_units
from tests.harness import Group, Harness, MakeWorld, Person
from tests.workflows.problems.test_evidence import jpeg

MINI_APP = True  # the `bot` fixture serves the Mini App

BIG = 25 * 1024 * 1024  # over the 20 MB Telegram lets a bot download


async def _close_in_chat(
    bot: Harness,
    group: Group,
    li: Person,
    code: str,
    *,
    content: bytes | None,
    photo: bool = False,
    size: int | None = None,
) -> None:
    """/close in the unit's group: a result, then a file sent in reply to the evidence prompt."""
    prompt = await bot.command(group, li, f"/close {code}")
    evidence = await bot.answer(prompt, li, "已整改到位")
    await bot.api.send_file(
        group,
        li,
        name="现场.jpg",
        mime="image/jpeg",
        size=size if size is not None else len(content or b""),
        photo=photo,
        reply_to=evidence,
        content=content,
    )
    got = await bot.api.next_message(group)
    assert "已收到" in got["text"], got["text"]
    summary = await bot.press(got, li, "完成")
    await bot.press(summary, li, "确认提交")


def _kept(bot: Harness, code: str) -> list[Evidence]:
    """The problem's evidence rows, first kept first."""
    with bot.db.unit_of_work() as s:
        item = s.exec(select(LedgerItem.id).where(LedgerItem.code == code)).one()
        stmt = select(Evidence).where(Evidence.item_id == item).order_by(col(Evidence.id))
        return list(s.exec(stmt).all())


async def test_a_chat_photo_is_kept_with_its_sha256_and_receipt_time(
    bot: Harness, make_world: MakeWorld
) -> None:
    world, sup = await _two_units(bot, make_world)
    (code,) = world.add_items("尉犁县", 1)
    old = "2020:01:02 03:04:05"  # a JPEG sent as a document keeps its EXIF: checked as uploads
    content = jpeg(old)
    await _close_in_chat(bot, world.group("尉犁县"), world["张三"], code, content=content)
    received = bot.clock()
    sha = hashlib.sha256(content).hexdigest()  # of the bytes this test sent
    (kept,) = _kept(bot, code)
    assert (kept.sha256, kept.size, kept.taken_at) == (sha, len(content), old)
    assert kept.received_at == received.astimezone(UTC)
    assert kept.sender_user_id == world["张三"]["id"]
    await bot.drained()
    request = await bot.api.next_message(sup)
    assert code in request["text"] and f"{sha[:8]}）" in request["text"], request["text"]
    assert "照片拍摄时间为2020年1月2日" in request["text"]
    record = await world["督办赵"].say(sup, f"/evidence {code}")
    assert f"SHA-256：{sha}" in record["text"], record["text"]

    # a photo, as Telegram keeps it: its bytes hashed as fetched
    (other,) = world.add_items("轮台县", 1)
    await _close_in_chat(
        bot, world.group("轮台县"), world["李明"], other, content=PHOTO, photo=True
    )
    (photo,) = _kept(bot, other)
    assert photo.sha256 == hashlib.sha256(PHOTO).hexdigest() and photo.media == "photo"


async def test_the_same_bytes_in_the_chat_and_from_the_mini_app_are_flagged(
    bot: Harness, make_world: MakeWorld
) -> None:
    world, sup = await _two_units(bot, make_world)
    (first,) = world.add_items("尉犁县", 1)
    (second,) = world.add_items("轮台县", 1)
    await _close_in_chat(bot, world.group("尉犁县"), world["张三"], first, content=PHOTO)
    on = bot.clock().astimezone(ZoneInfo("Asia/Shanghai"))
    await bot.drained()
    bot.api.mark_read(sup)
    bot.clock.advance(days=1)
    await _close_out(bot, world["李明"], world.group("轮台县"), PHOTO)  # the Mini App's upload
    await bot.drained()
    request = (await bot.api.next_message(sup))["text"]
    assert second in request and f"同一文件已作为{first}的印证材料" in request, request
    assert f"{on.month}月{on.day}日" in request and "由张三提交" in request
    chat, app = _kept(bot, first)[0], _kept(bot, second)[0]
    assert chat.sha256 == app.sha256 == hashlib.sha256(PHOTO).hexdigest()
    assert chat.unique_id != app.unique_id  # Telegram's ids differ: only the hash tells


async def test_a_fetch_that_failed_is_filled_in_later_by_the_planners_pass(
    bot: Harness, make_world: MakeWorld
) -> None:
    world, sup = await _two_units(bot, make_world)
    (code,) = world.add_items("尉犁县", 1)
    content = PHOTO + b" fetched late"
    sha = hashlib.sha256(content).hexdigest()
    bot.api.fail_next("getFile", 500, count=2)  # in the turn, then the planner's first try
    await _close_in_chat(bot, world.group("尉犁县"), world["张三"], code, content=content)
    await bot.drained()
    request = (await bot.api.next_message(sup))["text"]
    assert "未取得哈希（尚未从Telegram取得）" in request, request  # the person was not held up
    (kept,) = _kept(bot, code)
    assert (kept.sha256, kept.hash_tries) == ("", 1)  # the pass tried once: it waits now
    await bot.restart()  # what is left to fetch is in the database, not in memory
    bot.clock.advance(minutes=3)
    await bot.drained()
    (kept,) = _kept(bot, code)
    assert kept.sha256 == sha and kept.size == len(content)
    with bot.db.unit_of_work() as s:  # the progress's files too: the record, export, board
        (week,) = s.exec(select(ProgressUpdate).where(ProgressUpdate.item_id == kept.item_id))
        assert [f.get("sha256") for f in week.files] == [sha]
    fetched = bot.api.requests["getFile"]
    await bot.drained()  # filled once: not fetched again
    assert bot.api.requests["getFile"] == fetched
    record = await world["督办赵"].say(sup, f"/evidence {code}")
    assert f"SHA-256：{sha}" in record["text"], record["text"]


async def test_a_file_over_20_mb_is_kept_with_its_telegram_id_and_no_hash_said(
    bot: Harness, make_world: MakeWorld
) -> None:
    world, sup = await _two_units(bot, make_world)
    (code,) = world.add_items("尉犁县", 1)
    await _close_in_chat(bot, world.group("尉犁县"), world["张三"], code, content=None, size=BIG)
    await bot.drained()
    (kept,) = _kept(bot, code)
    assert (kept.sha256, kept.size, kept.unique_id != "") == ("", BIG, True)
    assert bot.api.requests["getFile"] == 0  # Telegram would refuse it: never asked
    request = (await bot.api.next_message(sup))["text"]
    said = f"未取得哈希（文件超过20MB，机器人无法下载），Telegram文件标识{kept.unique_id}"
    assert said in request, request
    record = await world["督办赵"].say(sup, f"/evidence {code}")
    assert f"SHA-256：{said}" in record["text"], record["text"]
