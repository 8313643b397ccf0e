"""Hostile inputs against the running bot: workbooks meant to take it down are refused in
words while everyone else is answered; one person reads one file at a time."""

from __future__ import annotations

import asyncio
import threading

import pytest
from sqlmodel import func, select

import bot.handlers.workbooks as importing
from storage.models import LedgerItem, Person, WorkbookUpload
from tests import hostile_books as hostile
from tests.harness import Harness, MakeWorld

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def send(bot: Harness, chat: dict, user: dict, name: str, content: bytes) -> dict:
    """A liaison sends a workbook with `/import`; the bot's next message in that chat."""
    await bot.api.send_file(
        chat, user, name=name, size=len(content), mime=XLSX, content=content, caption="/import"
    )
    return await bot.api.next_message(chat)


async def test_hostile_workbooks_are_refused_in_words(bot: Harness, make_world: MakeWorld) -> None:
    world = await make_world(units=["轮台县"], liaisons={"轮台县": "李明"})
    group, li = world.group("轮台县"), world["李明"]
    bomb = await send(bot, group, li, "台账.xlsx", hostile.shared_strings_bomb())
    assert bomb["text"].startswith("“台账.xlsx”解压后超过64MB，机器人不予读取。")
    rows = await send(bot, group, li, "台账.xlsx", hostile.million_rows())
    assert rows["text"].startswith("“台账.xlsx”解压后超过64MB")
    long = await send(bot, group, li, "台账.xlsx", hostile.million_rows(20_000, far="B"))
    assert long["text"].startswith("“台账.xlsx”的工作表“问题台账”超过5000行，机器人不予读取。")
    wide = await send(bot, group, li, "台账.xlsx", hostile.wide())
    assert "超过100列" in wide["text"]
    macros = await send(bot, group, li, "台账.xlsm", hostile.with_macros())
    assert "含有宏" in macros["text"]
    renamed = await send(bot, group, li, "台账.xlsx", hostile.renamed_zip())
    assert "不是 Excel 工作簿" in renamed["text"]
    macro_xls = await send(bot, group, li, "台账.xls", hostile.macro_xls())
    assert "含有宏" in macro_xls["text"]
    locked = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 900 + "EncryptedPackage".encode("utf-16-le")
    )
    protected = await send(bot, group, li, "台账.xlsx", locked)
    assert "设有打开密码" in protected["text"]
    linked = await send(bot, group, li, "台账.xlsx", hostile.external_link())
    assert "公式" in linked["text"] and "未导入任何内容" in linked["text"]
    strings = await send(bot, group, li, "台账.xlsx", hostile.many_strings())
    assert "含有超过200000段不同的文字" in strings["text"]
    parts = await send(bot, group, li, "台账.xlsx", hostile.many_parts())
    assert "解压后超过64MB" in parts["text"]
    with bot.db.unit_of_work() as s:  # nothing of any of them was kept
        assert s.exec(select(func.count()).select_from(LedgerItem)).one() == 0
        assert s.exec(select(func.count()).select_from(WorkbookUpload)).one() == 0


async def test_slow_workbooks_queue_on_their_own_pool_and_other_chats_are_answered(
    bot: Harness, make_world: MakeWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    units = ["轮台县", "尉犁县", "库尔勒市"]
    world = await make_world(
        units=units, liaisons={"轮台县": "李明", "尉犁县": "刘芳", "库尔勒市": "王强"}
    )
    release = threading.Event()
    started = threading.Semaphore(0)
    real = importing.open_book

    def slow(data: bytes, name: str):  # a workbook that takes minutes to read
        started.release()
        release.wait(30)
        return real(data, name)

    monkeypatch.setattr(importing, "open_book", slow)
    try:
        content = hostile.long_ledger(3)
        li, group = world["李明"], world.group("轮台县")
        for _ in range(6):  # the probe: one liaison sends it six times
            await bot.api.send_file(
                group,
                li,
                name="台账.xlsx",
                size=len(content),
                mime=XLSX,
                content=content,
                caption="/import",
            )
        for name, unit in (("刘芳", "尉犁县"), ("王强", "库尔勒市")):
            await bot.api.send_file(
                world.group(unit),
                world[name],
                name="台账.xlsx",
                size=len(content),
                mime=XLSX,
                content=content,
                caption="/import",
            )
        assert await asyncio.to_thread(started.acquire, True, 10)
        # the same person's second to sixth files wait for none of the pool: they are refused
        for _ in range(5):
            again = await bot.api.next_message(group)
            assert again["text"] == "您发送的上一个文件还在读取，请读完后再发送下一个。"
        passer = bot.api.user(5403, "路人")
        hello = await asyncio.wait_for(bot.command(bot.api.private(passer), passer, "/help"), 10)
        assert "可用命令" in hello["text"]
    finally:
        release.set()
    preview = await bot.api.next_message(group)
    assert "新增3个问题" in preview["text"]


async def test_hostile_texts_in_the_chat_are_cleaned_stored_as_typed_and_shown_escaped(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["尉犁县"], people=["孙"])
    group, li = world.group("尉犁县"), world["孙"]
    prompt = await bot.command(group, li, "/register")
    name = "<b>孙\x0b丽</b>\x00&amp;\u202e"  # markup, a vertical tab, NUL, an entity, RTL
    prompt = await bot.answer(prompt, li, name)
    prompt = await bot.answer(prompt, li, "</script>javascript:alert(1)\u200b")
    confirm = await bot.answer(prompt, li, "13800138000")
    assert "<b>孙\n丽</b>&amp;\u202e" in confirm["text"]  # shown as typed, the controls gone
    done = await bot.press(confirm, li, "确认提交")
    assert "孙" in done["text"]
    with bot.db.unit_of_work() as s:
        person = s.exec(select(Person).where(Person.user_id == li["id"])).one()
        assert (person.name, person.position) == (
            "<b>孙\n丽</b>&amp;\u202e",
            "</script>javascript:alert(1)\u200b",
        )
    roster = await bot.command(group, li, "/roster")
    assert "</script>javascript:alert(1)\u200b" in roster["text"]
