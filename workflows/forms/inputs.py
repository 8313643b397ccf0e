"""Input kinds of the form engine: what a step accepts and how it checks an answer."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import ClassVar, Protocol
from zoneinfo import ZoneInfo

from workflows.calendar.dates import DateError
from workflows.calendar.when import read_when
from workflows.json_read import json_object_of, list_of, mapping_of, need_int
from workflows.json_types import JSONObject, JSONValue, json_object
from workflows.messages import Msg, msg

TEXT_ANSWER_LIMIT = 2000
FILE_LIMIT = 20 * 1024 * 1024  # bots cannot download larger files from Telegram
UNITS = "units"  # the run-time choices of the campaign's units (a Choice's `source`)
# evidence may be larger (a site video): kept with Telegram's id, said to have no hash
EVIDENCE_LIMIT = 2000 * 1024 * 1024  # what Telegram lets a person send


class InputError(Exception):
    """An answer a step cannot take; carries the localised reason."""

    def __init__(self, message: Msg) -> None:
        super().__init__(message.id)
        self.message = message


@dataclass(frozen=True)
class TextAnswer:
    """Typed text (a reply to the bot's prompt, or any message in a private chat)."""

    text: str


@dataclass(frozen=True)
class ChoiceAnswer:
    """A pressed button: the index of the option on the current prompt."""

    index: int


@dataclass(frozen=True)
class FileAnswer:
    """A document or photo sent as the answer; the file stays on Telegram's servers."""

    file_id: str
    name: str
    mime: str
    size: int
    media: str  # "document" or "photo"
    # what proves which file it is (`workflows.problems.evidence.PROOF`): Telegram's file_unique_id,
    # the SHA-256 when the bytes passed through the server, the sender, the time of receipt...
    proof: Mapping[str, object] = field(default_factory=dict)

    @classmethod
    def of(cls, kept: Mapping[str, object]) -> FileAnswer:
        """A file as drafts keep it (`as_json`), given again: its proof goes with it."""
        proof = {k: v for k, v in kept.items() if k not in _FILE_KEYS}
        return cls(
            str(kept["file_id"]),
            str(kept["name"]),
            str(kept["mime"]),
            need_int(kept["size"]),
            str(kept["media"]),
            proof,
        )

    def as_json(self) -> JSONObject:
        """The form kept in drafts and in the database."""
        return {
            **json_object_of(self.proof),
            "file_id": self.file_id,
            "name": self.name,
            "mime": self.mime,
            "size": self.size,
            "media": self.media,
        }


_FILE_KEYS = frozenset({"file_id", "name", "mime", "size", "media"})


Answer = TextAnswer | ChoiceAnswer | FileAnswer


@dataclass(frozen=True)
class Option:
    """One button of a choice: the stored value and what the button says."""

    value: str
    label: Msg | str


@dataclass(frozen=True)
class FormEnv:
    """What a flow needs from outside: the time, the zone, and choices known at run time."""

    now: datetime
    tz: ZoneInfo
    options: Mapping[str, Sequence[Option]] = field(default_factory=dict)
    values: Mapping[str, object] = field(default_factory=dict)  # the draft's context and answers

    @property
    def local_now(self) -> datetime:
        """`now` in the campaign's zone, naive, for reading what people type."""
        return self.now.astimezone(self.tz).replace(tzinfo=None)


def _text_of(answer: Answer) -> str:
    if not isinstance(answer, TextAnswer):
        raise InputError(msg("form.expect_text"))
    return unicodedata.normalize("NFKC", answer.text).strip()


@dataclass(frozen=True)
class Text:
    """Free text between `min_len` and `max_len` characters."""

    max_len: int = TEXT_ANSWER_LIMIT
    min_len: int = 1
    kind: ClassVar[str] = "text"

    def parse(self, answer: Answer, env: FormEnv) -> str:
        """The trimmed text, or an error naming the limit."""
        if not isinstance(answer, TextAnswer):
            raise InputError(msg("form.expect_text"))
        text = answer.text.strip()
        if len(text) < self.min_len:
            raise InputError(msg("form.text_too_short", min=self.min_len))
        if len(text) > self.max_len:
            raise InputError(msg("form.text_too_long", max=self.max_len, length=len(text)))
        return text

    def show(self, value: object) -> object:
        """How the stored value reads in a summary."""
        return value


@dataclass(frozen=True)
class Number:
    """A whole number within bounds (counts of households, flats, projects)."""

    minimum: int = 0
    maximum: int = 10**9
    kind: ClassVar[str] = "number"

    def parse(self, answer: Answer, env: FormEnv) -> int:
        """The number, or an error saying what is allowed."""
        return self.read(_text_of(answer))

    def read(self, text: str) -> int:
        """A whole number written out (`1,200` too), or an error saying what is allowed."""
        text = text.replace(",", "")
        if not re.fullmatch(r"[+-]?\d+", text):
            raise InputError(msg("form.not_a_number", text=text))
        value = int(text)
        if not self.minimum <= value <= self.maximum:
            raise InputError(msg("form.number_range", min=self.minimum, max=self.maximum))
        return value

    def show(self, value: object) -> object:
        """How the stored value reads in a summary."""
        return value


_MOBILE = re.compile(r"(?:\+?86)?(1[3-9]\d{9})")
# Area codes 010 and 020–029 have three digits, every other one four.
_LANDLINE = re.compile(r"(0[12]\d|0[3-9]\d{2})?([2-9]\d{6,7})(?:(?:转|ext)(\d{1,6}))?")


@dataclass(frozen=True)
class Phone:
    """A mainland mobile number, or a landline with or without its area code."""

    kind: ClassVar[str] = "phone"

    def parse(self, answer: Answer, env: FormEnv) -> str:
        """The number in a canonical form (`13912345678`, `0996-2029999`)."""
        raw = _text_of(answer)
        compact = re.sub(r"[\s()\-]", "", raw)
        m = _MOBILE.fullmatch(compact)
        if m:
            return m.group(1)
        m = _LANDLINE.fullmatch(compact)
        if m:
            area, number, ext = m.groups()
            out = f"{area}-{number}" if area else number
            return f"{out}转{ext}" if ext else out
        raise InputError(msg("form.bad_phone", text=raw))

    def show(self, value: object) -> object:
        """How the stored value reads in a summary."""
        return value


@dataclass(frozen=True)
class DateInput:
    """A day, or a day and time; always shown back with its weekday to confirm."""

    with_time: bool = False
    default_time: time = time(18, 0)
    not_before_today: bool = False
    # a value of the draft (an ISO date-time; UTC when it names no zone) the answer must be
    # later than: an extension asks for more time, not less
    later_than: str = ""
    kind: ClassVar[str] = "date"

    def parse(self, answer: Answer, env: FormEnv) -> str:
        """ISO text of the reading (`2024-06-30` or `2024-06-30T18:00`), or a date error."""
        text = _text_of(answer)
        try:
            reading = read_when(text, now=env.local_now)
        except DateError as err:
            raise InputError(err.message) from None
        if self.not_before_today and reading.day < env.local_now.date():
            raise InputError(msg("form.date_past", text=text))
        bound = env.values.get(self.later_than) if self.later_than else None
        if bound:
            limit = datetime.fromisoformat(str(bound))
            limit = limit if limit.tzinfo else limit.replace(tzinfo=UTC)
            local = limit.astimezone(env.tz).replace(tzinfo=None)
            asked = reading.at_or(self.default_time) if self.with_time else reading.day
            if asked <= (local if self.with_time else local.date()):
                raise InputError(msg("form.date_not_later", text=text, limit=limit))
        if self.with_time:
            return reading.at_or(self.default_time).isoformat(timespec="minutes")
        return reading.day.isoformat()

    def show(self, value: object) -> date | datetime:
        """The stored ISO text as a date or datetime, for locale-aware rendering."""
        text = str(value)
        return datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)


@dataclass(frozen=True)
class Choice:
    """Buttons: fixed options, or the options named `source` in the flow's environment."""

    options: tuple[Option, ...] = ()
    source: str = ""
    kind: ClassVar[str] = "choice"

    def options_in(self, env: FormEnv) -> tuple[Option, ...]:
        """The options offered now."""
        return tuple(env.options.get(self.source, ())) if self.source else self.options

    def parse(self, answer: Answer, env: FormEnv) -> str:
        """The chosen option's value; typed text is accepted when it names an option."""
        options = self.options_in(env)
        if isinstance(answer, ChoiceAnswer):
            if 0 <= answer.index < len(options):
                return options[answer.index].value
            raise InputError(msg("form.stale_button"))
        typed = _text_of(answer)
        for option in options:
            label = option.label if isinstance(option.label, str) else None
            if typed in (option.value, label):
                return option.value
        raise InputError(msg("form.pick_an_option", text=typed))

    def show(self, value: object) -> object:
        """How the stored value reads in a summary."""
        return value

    def label_of(self, value: object, env: FormEnv) -> object:
        """The chosen option as its button read: the stored value is for the code, not people."""
        return next((o.label for o in self.options_in(env) if o.value == value), value)


@dataclass(frozen=True)
class File:
    """One document or photo, at most `max_bytes` (Telegram's limit for bots)."""

    max_bytes: int = FILE_LIMIT
    kind: ClassVar[str] = "file"

    def parse(self, answer: Answer, env: FormEnv) -> JSONObject:
        """The file's Telegram id, name, type and size."""
        if not isinstance(answer, FileAnswer):
            raise InputError(msg("form.expect_file"))
        if answer.size > self.max_bytes:
            raise InputError(
                msg("form.file_too_big", max_mb=self.max_bytes // (1024 * 1024), name=answer.name)
            )
        kept = answer.as_json()
        # the server's time of receipt, in UTC: when the file was taken in, not when it was sent
        kept.setdefault("received_at", env.now.astimezone(UTC).isoformat())
        return kept

    def show(self, value: object) -> object:
        """How the stored value reads in a summary."""
        return mapping_of(value).get("name", "")


@dataclass(frozen=True)
class Attachments:
    """Several files or photos, and/or a note, collected on one step until 完成 is pressed."""

    max_files: int = 20
    max_bytes: int = EVIDENCE_LIMIT
    note_len: int = TEXT_ANSWER_LIMIT
    need_file: bool = False
    kind: ClassVar[str] = "files"

    def collect(self, current: JSONValue, answer: Answer, env: FormEnv) -> JSONObject:
        """Add a file, or set the note; the step stays open for more."""
        kept = json_object(current)
        given = kept.get("files", [])
        files = [*given] if isinstance(given, list) else []
        note = kept.get("note", "")
        if isinstance(answer, FileAnswer):
            if len(files) >= self.max_files:
                raise InputError(msg("form.too_many_files", max=self.max_files))
            files.append(File(self.max_bytes).parse(answer, env))
        elif isinstance(answer, TextAnswer):
            note = Text(max_len=self.note_len).parse(answer, env)
        return {"files": files, "note": note}

    def complete(self, current: object) -> bool:
        """Whether enough was collected to move on."""
        kept = mapping_of(current)
        return bool(kept.get("files", [])) or (not self.need_file and bool(kept.get("note")))

    def parse(self, answer: Answer, env: FormEnv) -> JSONObject:
        """A single answer given up front (a prefill) starts the collection."""
        return self.collect(None, answer, env)

    def show(self, value: object) -> Msg:
        """How the collection reads in a summary: its file names and the note."""
        kept = mapping_of(value)
        names = [mapping_of(f).get("name", "") for f in list_of(kept.get("files", []))]
        note = kept.get("note")
        if not names:  # a note alone is not "0 files: (blank)"
            return msg("form.material_note", note=note) if note else msg("form.empty")
        if not note:
            return msg("form.material_files", files=names, count=len(names))
        return msg("form.material", files=names, count=len(names), note=note)


def shown(kind: Kind, value: object, env: FormEnv) -> object:
    """How a stored value reads on a confirm screen: a choice by its option's label."""
    if isinstance(kind, Choice):
        return kind.label_of(value, env)
    return kind.show(value)


@dataclass(frozen=True)
class StatusCard:
    """One message for one item: status buttons, and a reply to it that gives the text.

    A press on a status in `texted` is only noted (the person replies next, no new message);
    a press on any other status moves on; a reply without a press takes `default`.
    """

    options: tuple[Option, ...]
    texted: frozenset[str]
    text_field: str
    default: str
    max_len: int = TEXT_ANSWER_LIMIT
    kind: ClassVar[str] = "card"

    def options_in(self, env: FormEnv) -> tuple[Option, ...]:
        """The status buttons."""
        return self.options

    def parse(self, answer: Answer, env: FormEnv) -> str:
        """The typed text that goes with the status."""
        return Text(max_len=self.max_len).parse(answer, env)

    def show(self, value: object) -> object:
        """The chosen status's label."""
        return next((o.label for o in self.options if o.value == value), value)


class Kind(Protocol):
    """What every input kind offers the engine."""

    kind: ClassVar[str]

    def parse(self, answer: Answer, env: FormEnv) -> JSONValue:
        """The stored value of an answer, or `InputError`."""
        ...

    def show(self, value: object) -> object:
        """How a stored value reads in a summary."""
        ...
