"""The demo's transcript: everything said and pressed, printed as it happens, saved as
Markdown and as HTML with one column per chat."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from locales import Translator
from workflows.messages import msg


@dataclass
class Line:
    """One entry of the transcript."""

    order: int
    at: datetime
    chat: str
    who: str
    text: str
    kind: str  # message, press, file


class Transcript:
    """Everything said and pressed, in order, printed as it happens."""

    def __init__(self, tr: Translator, lang: str, bot_name: str, quiet: bool) -> None:
        self.tr, self.lang, self.bot_name, self.quiet = tr, lang, bot_name, quiet
        self.lines: list[Line] = []

    def __call__(self, kind: str, event: dict[str, Any]) -> None:
        chat = event["chat"].get("title") or event["chat"].get("first_name", "")
        sender = event["from"]
        who = self.bot_name if sender.get("is_bot") else sender.get("first_name", "")
        if kind == "press":
            text, kind = self.tr.text(msg("demo.pressed", label=event["label"]), self.lang), "press"
        elif kind == "app":
            text, kind = self.tr.text(msg("demo.in_app", what=event["text"]), self.lang), "press"
        elif "text" in event:
            text = event["text"]
            buttons = [
                b["text"]
                for row in (event.get("reply_markup") or {}).get("inline_keyboard", [])
                for b in row
            ]
            if buttons:
                text += "  " + " ".join(f"[{b}]" for b in buttons)
            kind = "message"
        elif "new_chat_members" in event:
            added = event["new_chat_members"][0]
            said = (
                msg("demo.added", chat=chat)
                if added.get("is_bot")
                else msg("demo.joined", chat=chat, name=added.get("first_name", ""))
            )
            text, kind = self.tr.text(said, self.lang), "message"
        elif "left_chat_member" in event:
            gone = event["left_chat_member"].get("first_name", "")
            text, kind = self.tr.text(msg("demo.left", chat=chat, name=gone), self.lang), "message"
        else:
            name = (event.get("document") or {}).get("file_name") or "photo"
            caption = event.get("caption", "")
            text, kind = (
                self.tr.text(msg("demo.file", name=name, caption=caption), self.lang),
                "file",
            )
        at = datetime.fromtimestamp(event["date"], UTC)
        line = Line(event["order"], at, chat, who, text, kind)
        self.lines.append(line)
        if not self.quiet:
            stamp = self.tr.when(at, self.lang, tz=CST)
            print(f"[{stamp}] {chat} · {who}: {text}", flush=True)

    def markdown(self, title: str) -> str:
        """The transcript as Markdown, in order."""
        out = [f"# {title}", ""]
        for line in self.lines:
            stamp = self.tr.when(line.at, self.lang, tz=CST)
            text = line.text.replace("\n", "  \n> ")
            out.append(f"**{stamp}** · {line.chat} · **{line.who}**  \n> {text}\n")
        return "\n".join(out)

    def html(self, title: str) -> str:
        """The transcript as HTML, one column per chat, in time order down the page."""
        chats = list(dict.fromkeys(line.chat for line in self.lines))
        head = "".join(f"<th>{html.escape(c)}</th>" for c in chats)
        rows = []
        for line in self.lines:
            cells = []
            for c in chats:
                if c != line.chat:
                    cells.append("<td></td>")
                    continue
                stamp = self.tr.when(line.at, self.lang, tz=CST)
                body = html.escape(line.text).replace("\n", "<br>")
                cells.append(
                    f'<td class="{line.kind}"><div class="meta">{html.escape(stamp)} · '
                    f"{html.escape(line.who)}</div>{body}</td>"
                )
            rows.append("<tr>" + "".join(cells) + "</tr>")
        return _PAGE.format(title=html.escape(title), head=head, rows="\n".join(rows))


_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 1em; }}
table {{ border-collapse: collapse; table-layout: fixed; width: 100%; }}
th {{ position: sticky; top: 0; background: #DDEBF7; padding: .4em; }}
td {{ vertical-align: top; padding: .3em .5em; border-bottom: 1px solid #eee; font-size: 13px; }}
td.press {{ color: #555; font-style: italic; }}
td.file {{ color: #2E75B6; }}
.meta {{ color: #888; font-size: 11px; }}
</style></head><body><h1>{title}</h1>
<table><thead><tr>{head}</tr></thead><tbody>
{rows}
</tbody></table></body></html>
"""
CST = ZoneInfo("Asia/Shanghai")  # every shipped campaign's zone
