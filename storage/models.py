"""The tables. Chat and user ids are 64-bit; every datetime is timezone-aware UTC."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Protocol, TypedDict, Unpack

from sqlalchemy import BigInteger, Index, UniqueConstraint, text
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel

from storage.types import JSONData, ScoreRuleData, UTCDateTime
from workflows.campaign import FeedbackRule
from workflows.json_types import JSONObject
from workflows.problems.ledger import LedgerColumns
from workflows.supervision.scores import ScoreRule


class _Column(TypedDict, total=False):
    """What the tables pass to a column besides its type."""

    default: None
    default_factory: Callable[[], object]
    index: bool
    unique: bool
    primary_key: bool
    sa_column_kwargs: dict[str, object]


# sqlmodel's Field is untyped in what it returns: each attribute is annotated as its column
def _utc(**kw: Unpack[_Column]) -> Any:
    return Field(sa_type=UTCDateTime, **kw)


def _json(**kw: Unpack[_Column]) -> Any:
    return Field(sa_type=JSONData, **kw)


def _big(**kw: Unpack[_Column]) -> Any:
    return Field(sa_type=BigInteger, **kw)


class _Saved(Protocol):
    id: int | None


def saved_id(row: _Saved) -> int:
    """The id of a row that has been flushed; a row never saved is a bug, not id 0."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id: it was never flushed")
    return row.id


class Campaign(SQLModel, table=True):
    """专项整治: one campaign, loaded from its file and updated in place."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    year: int
    timezone: str
    reminders: list[int] = _json(default_factory=list)  # seconds before each deadline
    weekly_reports: list[JSONObject] = _json(default_factory=list)
    feedback_working_days: int = FeedbackRule.working_days
    feedback_cutoff: str = FeedbackRule.cutoff.strftime("%H:%M")
    feedback_rules: JSONObject = _json(default_factory=dict)  # remind_at, remind_before, …
    scores: ScoreRule = Field(sa_type=ScoreRuleData, default_factory=ScoreRule)
    categories: list[str] = _json(default_factory=list)
    ledger: JSONObject = _json(default_factory=dict)  # fields and consistency rules
    checkpoints: list[JSONObject] = _json(default_factory=list)  # text, day, check
    default_due_time: str = "18:00"
    active: bool = True
    loaded_at: datetime = _utc()
    updated_at: datetime = _utc()


class Phase(SQLModel, table=True):
    """阶段: a named stretch of the campaign."""

    __table_args__ = (UniqueConstraint("campaign_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    position: int
    name: str
    starts_on: date
    ends_on: date


class Deadline(SQLModel, table=True):
    """报送节点: a deliverable due from every unit, or from the listed ones."""

    __table_args__ = (UniqueConstraint("campaign_id", "deliverable"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    deliverable: str
    note: str = ""
    source_text: str = ""
    due_at: datetime = _utc()
    unit_names: list[str] | None = _json(default=None)  # None: every unit
    cancelled: bool = False
    from_file: bool = True
    created_at: datetime | None = _utc(default=None)
    due_set_at: datetime | None = _utc(default=None)  # when due_at was last moved


class Unit(SQLModel, table=True):
    """单位: a county, district or member unit that reports."""

    __table_args__ = (
        UniqueConstraint("campaign_id", "name"),
        Index("ux_unit_campaign_key", "campaign_id", "name_key", unique=True),
    )
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    name: str
    name_key: str = ""  # the name as compared (workflows.words.name_key): set by storage
    position: int = 0
    active: bool = True


class Person(SQLModel, table=True):
    """Someone the bot has met; their registration (name, position, phone) once they register."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = _big(unique=True)
    username: str | None = Field(default=None, index=True)
    display_name: str = ""
    name: str | None = None
    position: str | None = None
    phone: str | None = None
    lang: str | None = None
    registered_at: datetime | None = _utc(default=None)
    created_at: datetime = _utc()


class RoleGrant(SQLModel, table=True):
    """A role held by a person; a liaison's grant names the unit."""

    __table_args__ = (UniqueConstraint("person_id", "role", "unit_id"),)
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    role: str
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    granted_by: int | None = _big(default=None)
    granted_at: datetime = _utc()


class Chat(SQLModel, table=True):
    """A chat the bot is in; a group chat bound to a unit is that unit's group."""

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = _big(unique=True)
    kind: str
    title: str = ""
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    supervisors: bool = False
    lang: str | None = None
    waiting_notice_sent: bool = False
    bound_by: int | None = _big(default=None)
    bound_at: datetime | None = _utc(default=None)


class Sighting(SQLModel, table=True):
    """A person known to be in a group chat: seen speaking or pressing there, or added to it;
    gone when they leave. Where the supervisors hear goes by it
    (`workflows/supervision/audience.py`)."""

    __table_args__ = (UniqueConstraint("chat_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = _big()
    user_id: int = _big()
    seen_at: datetime = _utc()


class FormDraft(SQLModel, table=True):
    """Where one person stands in a step-by-step flow in one chat."""

    __table_args__ = (UniqueConstraint("chat_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = _big()
    user_id: int = _big()
    flow: str
    state: JSONObject = _json(default_factory=dict)
    created_at: datetime = _utc()
    updated_at: datetime = _utc()
    # the bot's last message for this draft: the one a reply must answer to feed the flow
    prompt_message_id: int | None = _big(default=None)
    unit_id: int | None = Field(default=None, index=True)  # a weekly update's unit


class CalendarOverride(SQLModel, table=True):
    """An admin's correction of the working-day calendar for one day."""

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(unique=True)
    is_workday: bool
    note: str = ""
    source: str = "manual"  # "manual" (/workday) or "notice" (an imported State Council notice)
    set_by: int | None = _big(default=None)
    set_at: datetime = _utc()


class AuditEvent(SQLModel, table=True):
    """Who changed what, when, with the state before and after."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _utc(index=True)
    actor_user_id: int | None = _big(default=None)
    chat_id: int | None = _big(default=None)
    action: str
    entity: str
    entity_id: int | None = None
    before: JSONObject | None = _json(default=None)
    after: JSONObject | None = _json(default=None)


class LedgerItem(SQLModel, LedgerColumns, table=True):
    """问题台账条目: one problem in a unit's ledger. Its own columns (name, 主要案情, …, 问题来源)
    are declared once, in `workflows.problems.ledger.LedgerColumns`, and written by
    `storage.ledger.set_columns` (not this class's constructor, which mypy sees without them)."""

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    code: str = Field(unique=True)
    seq: int
    status: str = "open"
    fields: JSONObject = _json(default_factory=dict)
    version: int = 1
    created_by: int | None = _big(default=None)
    created_at: datetime = _utc()
    updated_at: datetime = _utc()
    closed_at: datetime | None = _utc(default=None)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, object]:
        """Every UPDATE checks and moves the version: `… WHERE id = :id AND version = :v`."""
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]  # SQLModel sets __table__ at class creation


class ProgressUpdate(SQLModel, table=True):
    """整改进展: one update of an item; kept forever, never overwritten."""

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="ledgeritem.id", index=True)
    week_of: date
    status: str
    text: str = ""
    result: str = ""
    reason: str = ""
    new_due_on: date | None = None
    files: list[JSONObject] = _json(default_factory=list)
    author_user_id: int | None = _big(default=None)
    created_at: datetime = _utc()


_WEEKLY = text("deadline_id IS NULL")
_DELIVERABLE = text("deadline_id IS NOT NULL")


class Submission(SQLModel, table=True):
    """A unit's submission of a deliverable or of one week's report, once each."""

    # NULL never equals NULL, so the first key holds for neither kind: each has its own index
    __table_args__ = (
        UniqueConstraint("unit_id", "deadline_id", "period_start"),
        Index(
            "ux_submission_weekly",
            "unit_id",
            "report_name",
            "period_start",
            unique=True,
            sqlite_where=_WEEKLY,
            postgresql_where=_WEEKLY,
        ),
        Index(
            "ux_submission_deliverable",
            "unit_id",
            "deadline_id",
            unique=True,
            sqlite_where=_DELIVERABLE,
            postgresql_where=_DELIVERABLE,
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    deadline_id: int | None = Field(default=None, foreign_key="deadline.id")
    report_name: str = ""
    period_start: date | None = None
    submitted_at: datetime = _utc()
    on_time: bool = True
    note: str = ""
    files: list[JSONObject] = _json(default_factory=list)
    by_user_id: int | None = _big(default=None)


class ForwardedCase(SQLModel, table=True):
    """转办件: a case sent down by a supervisor, due back within N working days."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    text: str
    reference: str = ""
    files: list[JSONObject] = _json(default_factory=list)
    received_at: datetime = _utc()
    due_at: datetime = _utc()
    status: str = "open"
    signed_at: datetime | None = _utc(default=None)
    answered_at: datetime | None = _utc(default=None)
    forwarded_by: int | None = _big(default=None)
    fields: JSONObject = _json(default_factory=dict)


class Feedback(SQLModel, table=True):
    """反馈: a unit's answer to a forwarded case."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="forwardedcase.id", index=True)
    text: str
    status: str
    expected_on: date | None = None
    files: list[JSONObject] = _json(default_factory=list)
    author_user_id: int | None = _big(default=None)
    created_at: datetime = _utc()
    on_time: bool = True
    late_working_days: int = 0


class Notification(SQLModel, table=True):
    """A planned reminder or escalation; its key makes it happen once.

    `case_id` / `deadline_id` say what it is about (read from the key by
    `workflows.keys.NoticeKey`): queries use them, not the key's text.
    """

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)
    kind: str
    case_id: int | None = Field(default=None, index=True)
    deadline_id: int | None = Field(default=None, index=True)
    planned_for: datetime = _utc()
    created_at: datetime = _utc()
    payload: JSONObject = _json(default_factory=dict)


class OutboxMessage(SQLModel, table=True):
    """A message waiting to be delivered, kept until Telegram took it or it failed for good.

    Status: pending → sending → sent or failed; withdrawn when what it was planned for moved
    (a deadline, a case's due time) before it was sent. Kind: a planned notice, or a reply to
    a person (stored by the turn that answers them, sent before notices, in its chat's order).
    """

    __table_args__ = (
        Index("ix_outbox_due", "status", "not_before"),
        Index("ix_outbox_chat", "chat_id", "status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    notification_id: int | None = Field(default=None, foreign_key="notification.id")
    chat_id: int = _big()
    text: str
    reply_markup: JSONObject | None = _json(default=None)
    status: str = "pending"
    attempts: int = 0
    not_before: datetime = _utc()
    created_at: datetime = _utc()
    sent_at: datetime | None = _utc(default=None)
    last_error: str = ""
    telegram_message_id: int | None = _big(default=None)
    claimed_by: str = ""  # the process ("host:pid") that took it last (a reply: or made it)
    # a time left said as of sending: {"due", "lang", "tz"}; the text holds a marker for it
    live: JSONObject | None = _json(default=None)
    kind: str = "notice"  # or "reply"
    # a reply's particulars: the message it answers, the one it edits, its prompt, its file
    reply: JSONObject | None = _json(default=None)


class SendLog(SQLModel, table=True):
    """A send or edit the bot made into a chat, kept a few minutes: a restarted process reads
    the last minute back, so that it does not spend a group's budget twice."""

    __table_args__ = (Index("ix_sendlog_at", "sent_at"),)
    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = _big()
    sent_at: datetime = _utc()


class HandledUpdate(SQLModel, table=True):
    """A Telegram update whose turn was saved, kept two days (Telegram keeps an update a day):
    one posted again after its process died before answering is not applied twice."""

    __table_args__ = (Index("ix_handled_at", "handled_at"),)
    update_id: int = _big(primary_key=True, sa_column_kwargs={"autoincrement": False})
    handled_at: datetime = _utc()


class PageAction(SQLModel, table=True):
    """A Mini App write done, under the id the page made for it (a tap, and every retry of
    it): the same id again is answered with the first answer, and changes nothing."""

    __table_args__ = (Index("ix_pageaction_at", "done_at"),)
    user_id: int = _big(primary_key=True, sa_column_kwargs={"autoincrement": False})
    action_id: str = Field(primary_key=True, max_length=64)
    status: int = 0  # 0 while the action's unit of work runs; then the HTTP status answered
    answer: JSONObject = _json(default_factory=dict)
    done_at: datetime = _utc()


class WorkbookUpload(SQLModel, table=True):
    """A workbook sent to the bot (a ledger, or a filled weekly form), previewed, not yet saved."""

    __table_args__ = (Index("ix_workbookupload_owner", "chat_id", "user_id", "status"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str  # "ledger" or "week"
    chat_id: int = _big()
    user_id: int = _big()
    unit_id: int | None = Field(default=None, foreign_key="unit.id")  # None: an admin to choose
    file_id: str = ""
    file_name: str = ""
    digest: str = ""  # sha256 of the content previewed: the save reads the very same file
    state: JSONObject = _json(default_factory=dict)  # what the preview showed; a week's answers
    status: str = "pending"  # pending, saved, cancelled, replaced
    created_at: datetime = _utc()
    updated_at: datetime = _utc()


class Decision(SQLModel, table=True):
    """A supervisor's decision on what a unit asked (a close-out, an extension): who, when,
    what, and why; kept apart from the problem's progress, shown wherever the thing is."""

    __table_args__ = (
        Index("ix_decision_item", "item_id"),
        Index("ix_decision_case", "case_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id")
    item_id: int | None = Field(default=None, foreign_key="ledgeritem.id")
    case_id: int | None = Field(default=None, foreign_key="forwardedcase.id")
    what: str  # closeout.approved, closeout.rejected, extension.approved, extension.rejected
    reason: str = ""
    by_user_id: int | None = _big(default=None)
    at: datetime = _utc()


class Urging(SQLModel, table=True):
    """催办: a supervisor's one message to a unit's groups; once a working day per unit, so
    the day (the campaign's local date) is unique with the unit."""

    __table_args__ = (UniqueConstraint("unit_id", "day"),)
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    day: date
    by_user_id: int | None = _big(default=None)
    at: datetime = _utc()


class UnitNotice(SQLModel, table=True):
    """A notice or a circular sent to every unit's group with a 已阅 button; `units` are the
    units it went to (those with a group then), in their order."""

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    kind: str = "notice"  # "notice" (a supervisor's /notice) or "circular" (the 通报)
    text: str
    by_user_id: int | None = _big(default=None)
    sent_at: datetime = _utc()
    units: list[int] = _json(default_factory=list)


class NoticeReceipt(SQLModel, table=True):
    """已阅: a unit's confirmation of a notice, once per unit (any liaison of the unit)."""

    __table_args__ = (UniqueConstraint("notice_id", "unit_id"),)
    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="unitnotice.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    by_user_id: int = _big()
    at: datetime = _utc()


class Evidence(SQLModel, table=True):
    """印证材料: one file behind a problem's progress (a close-out's, a week's), kept with what
    proves it is that file: its SHA-256 (of the bytes uploaded, or fetched from Telegram) and
    Telegram's `file_unique_id`, its size and type, who sent it and the server's time of receipt."""

    __table_args__ = (
        Index("ix_evidence_item", "item_id"),
        Index("ix_evidence_sha256", "sha256"),
        Index("ix_evidence_unique_id", "unique_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="ledgeritem.id")
    unit_id: int = Field(foreign_key="unit.id")
    progress_id: int | None = Field(default=None, foreign_key="progressupdate.id")
    file_id: str = ""
    unique_id: str = ""  # Telegram's file_unique_id: the same file, whoever sends it again
    sha256: str = ""  # empty until a chat file's bytes are fetched (never, over 20 MB)
    size: int = 0
    mime: str = ""
    name: str = ""
    media: str = ""
    sender_user_id: int | None = _big(default=None)
    received_at: datetime = _utc()
    taken_at: str = ""  # a photo's EXIF DateTimeOriginal as written (no zone), if it has one
    latitude: float | None = None
    longitude: float | None = None
    accuracy: float | None = None  # metres, as the phone reported it
    hash_tries: int = 0  # failed fetches of a chat file's bytes (the pass gives up after some)
    hash_due_at: datetime | None = _utc(default=None)  # the next try, after a failed one


class Leave(SQLModel, table=True):
    """请假: a liaison away from `starts_at` until `ends_at` (local midnights, stored UTC), and
    who covers (代岗: another liaison of the unit), if anyone; ended early, `ends_at` moves."""

    __table_args__ = (Index("ix_leave_unit_ends", "unit_id", "ends_at"),)
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id")
    user_id: int = _big()
    deputy_user_id: int | None = _big(default=None)
    starts_at: datetime = _utc()
    ends_at: datetime = _utc()
    recorded_at: datetime = _utc()
    recorded_by: int = _big()
    ended_early_at: datetime | None = _utc(default=None)
