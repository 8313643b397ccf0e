"""印证材料 that can be trusted: what proves which file a piece of evidence is, and what a
supervisor deciding a close-out is told about it (a file already used for another problem, a
photo taken long before it was sent).

A file uploaded from the Mini App passes through the server: it is kept with its SHA-256. A
file sent in the chat is fetched from Telegram (getFile, 20 MB at most) and kept with its
SHA-256 too; one Telegram would not hand over (too large, or not fetched yet) keeps Telegram's
`file_unique_id`, the same for the same file whoever sends it, and says it has no hash.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from workflows.json_read import need_int
from workflows.json_types import JSONObject
from workflows.messages import Msg, msg

SHORT = 8  # hex digits of the SHA-256 shown beside a file (the full one on /evidence)
EXIF_FAR = timedelta(days=3)  # a photo taken longer than this before (or after) it was sent
EXIF_HEAD = (
    128 * 1024
)  # bytes read for the EXIF block (its segment is at most 64 KB, near the start)
FETCH_LIMIT = 20 * 1024 * 1024  # Telegram lets a bot download files up to this size


def fingerprint(head: bytes, sha256: str, size: int) -> JSONObject:
    """What proves a file whose bytes passed through the server (a Mini App upload, a chat
    file fetched from Telegram): its SHA-256, size and, for a JPEG, its EXIF time."""
    return {"sha256": sha256, "size": size, "taken_at": exif_time(head)}


def fingerprint_of(content: bytes) -> JSONObject:
    """`fingerprint` of a whole file held in memory."""
    return fingerprint(content[:EXIF_HEAD], hashlib.sha256(content).hexdigest(), len(content))


def fetchable(file: Mapping[str, object]) -> bool:
    """Whether Telegram would hand the file to the bot (its size within the download limit)."""
    return need_int(file.get("size") or 0) <= FETCH_LIMIT


def short(file: Mapping[str, object]) -> Msg | str:
    """The file's short identity: its SHA-256's first hex digits, else Telegram's id of it
    said to have no hash (and why: too large for the bot to fetch, or not fetched yet)."""
    sha = str(file.get("sha256") or "")
    if sha:
        return sha[:SHORT]
    key = "hashes.none_too_big" if not fetchable(file) else "hashes.none_yet"
    return msg(key, unique_id=str(file.get("unique_id") or "—"))


def same_file(a: Mapping[str, object], b: Mapping[str, object]) -> bool:
    """Whether two kept files are the same file: same SHA-256, or same Telegram file."""
    return any(bool(a.get(k)) and a.get(k) == b.get(k) for k in ("sha256", "unique_id"))


@dataclass(frozen=True)
class EarlierUse:
    """A file kept before as evidence of another problem: which, when, by whom."""

    sha256: str
    unique_id: str
    code: str
    received_at: datetime
    by: str


def reuse_flags(
    files: Sequence[Mapping[str, object]], earlier: Sequence[EarlierUse], tz: ZoneInfo
) -> list[Msg]:
    """One line per file of `files` already used as evidence of another problem (its first
    use), and one per photo whose EXIF time is far from when it was received."""
    out: list[Msg] = []
    for f in files:
        first = next(
            (e for e in earlier if same_file(f, {"sha256": e.sha256, "unique_id": e.unique_id})),
            None,
        )
        if first is not None:
            out.append(
                msg(
                    "evidence.reused",
                    name=str(f.get("name", "")),
                    code=first.code,
                    on=first.received_at.astimezone(tz).date(),
                    by=first.by or msg("evidence.someone"),
                )
            )
        taken = exif_far(f, tz)
        if taken is not None:
            out.append(msg("evidence.exif_far", name=str(f.get("name", "")), taken=taken))
    return out


def exif_far(file: Mapping[str, object], tz: ZoneInfo) -> datetime | None:
    """The photo's EXIF time, when it is further than `EXIF_FAR` from its receipt."""
    taken = taken_at(str(file.get("taken_at") or ""), tz)
    received = str(file.get("received_at") or "")
    if taken is None or not received:
        return None
    return taken if abs(datetime.fromisoformat(received) - taken) > EXIF_FAR else None


def taken_at(raw: str, tz: ZoneInfo) -> datetime | None:
    """An EXIF time (`2026:03:02 10:15:00`, no zone: the camera's clock, read in `tz`)."""
    try:
        return datetime.strptime(raw.strip(), "%Y:%m:%d %H:%M:%S").replace(tzinfo=tz)
    except ValueError:
        return None


def exif_time(content: bytes) -> str:
    """A JPEG's EXIF DateTimeOriginal (else its DateTime), as written; "" when it has none."""
    if content[:2] != b"\xff\xd8":
        return ""
    at = 2
    while at + 4 <= len(content) and content[at] == 0xFF:
        marker = content[at + 1]
        length = struct.unpack(">H", content[at + 2 : at + 4])[0]
        if marker == 0xE1 and content[at + 4 : at + 10] == b"Exif\0\0":
            return _tiff_time(content[at + 10 : at + 2 + length])
        if marker == 0xDA:  # the image data begins: no EXIF before it
            return ""
        at += 2 + length
    return ""


def _tiff_time(tiff: bytes) -> str:
    """DateTimeOriginal from the EXIF sub-IFD, else DateTime from IFD0, of a TIFF block."""
    try:
        order = {b"II": "<", b"MM": ">"}[tiff[:2]]
        ifd0 = _entries(tiff, order, struct.unpack(order + "I", tiff[4:8])[0])
        sub = ifd0.get(0x8769)
        exif = _entries(tiff, order, struct.unpack(order + "I", sub[1])[0]) if sub else {}
        for tags, tag in ((exif, 0x9003), (ifd0, 0x0132)):
            if tag in tags:
                count, value = tags[tag]
                offset = struct.unpack(order + "I", value)[0]
                return tiff[offset : offset + count].split(b"\0")[0].decode("ascii", "replace")
    except (KeyError, struct.error, IndexError):
        return ""  # a broken EXIF block is no time, not an error for the person
    return ""


def _entries(tiff: bytes, order: str, offset: int) -> dict[int, tuple[int, bytes]]:
    """An IFD's entries: tag → (count, the 4 bytes of value or offset)."""
    (n,) = struct.unpack(order + "H", tiff[offset : offset + 2])
    out: dict[int, tuple[int, bytes]] = {}
    for i in range(n):
        entry = tiff[offset + 2 + 12 * i : offset + 14 + 12 * i]
        tag, _kind, count = struct.unpack(order + "HHI", entry[:8])
        out[tag] = (count, entry[8:12])
    return out


def file_label(file: Mapping[str, object], tz: ZoneInfo | None = None) -> Msg | str:
    """A file as a record names it: its name, when it was received (in `tz`, if given: a
    workbook has no zone of its own) and its short hash."""
    name = str(file.get("name", ""))
    received = str(file.get("received_at") or "")
    if not received:  # kept before receipts were recorded
        return name
    at = datetime.fromisoformat(received)
    return msg("evidence.file", name=name, at=at.astimezone(tz) if tz else at, short=short(file))
