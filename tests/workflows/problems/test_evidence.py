"""Evidence that can be trusted: a JPEG's EXIF time read without Pillow, the same file told
by its hash or Telegram's id, and what the supervisor deciding is told."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from PIL import Image

from locales import Translator
from workflows.problems.evidence import EarlierUse, exif_time, file_label, reuse_flags, same_file

TZ = ZoneInfo("Asia/Shanghai")


def jpeg(original: str | None = None, plain: str | None = None, order: str = "<") -> bytes:
    """A small JPEG with the EXIF times given (Pillow writes them: a reader of our own reads)."""
    img = Image.new("RGB", (8, 8), "red")
    exif = img.getexif()
    exif.endian = order  # type: ignore[attr-defined]  # both byte orders cameras write
    if plain is not None:
        exif[0x0132] = plain
    if original is not None:
        exif.get_ifd(0x8769)[0x9003] = original
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_the_exif_time_is_read_from_a_jpeg_in_either_byte_order() -> None:
    assert exif_time(jpeg("2023:06:01 09:30:00")) == "2023:06:01 09:30:00"
    assert exif_time(jpeg("2023:06:01 09:30:00", order=">")) == "2023:06:01 09:30:00"
    # DateTimeOriginal first; DateTime (when the file was last changed) only without it
    assert exif_time(jpeg("2023:06:01 09:30:00", "2024:01:01 00:00:00")) == "2023:06:01 09:30:00"
    assert exif_time(jpeg(plain="2024:01:01 00:00:00")) == "2024:01:01 00:00:00"
    assert exif_time(jpeg()) == ""
    assert exif_time(b"%PDF-1.4") == ""
    assert exif_time(jpeg("2023:06:01 09:30:00")[:40]) == ""  # cut short: no time, no error


def test_a_file_used_before_and_a_photo_taken_long_before_are_flagged() -> None:
    tr = Translator.load(strict=True)
    received = datetime(2024, 3, 5, 2, tzinfo=UTC)
    mine = {
        "name": "site.jpg",
        "sha256": "ab" * 32,
        "received_at": received.isoformat(),
        "taken_at": "2024:02:20 10:00:00",
    }
    earlier = [EarlierUse("ab" * 32, "", "尉犁-003", datetime(2024, 3, 2, 3, tzinfo=UTC), "张三")]
    said = [tr.text(m, "zh_CN", tz=TZ, year=2024) for m in reuse_flags([mine], earlier, TZ)]
    assert said == [
        "⚠️ site.jpg：同一文件已作为尉犁-003的印证材料，3月2日（周六）由张三提交",
        "⚠️ site.jpg：照片拍摄时间为2月20日（周二）10:00，与提交时间相差较大",
    ]
    # taken the day before: nothing to say; another file: not the same
    near = {**mine, "taken_at": "2024:03:04 18:00:00", "sha256": "cd" * 32}
    assert reuse_flags([near], earlier, TZ) == []
    assert same_file({"unique_id": "AQAD"}, {"unique_id": "AQAD", "sha256": ""})
    assert not same_file({"sha256": ""}, {"sha256": ""})  # nothing known is not a match
    label = tr.text(file_label(mine, TZ), "zh_CN", year=2024)
    assert label == "site.jpg（3月5日（周二）10:00收到，abababab）"
