"""The circular as a Word document, laid out as GB/T 9704-2012 lays out official documents.

A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; the title in 方正小标宋简体 2号
(22 pt) centred; the body in 仿宋_GB2312 3号 (16 pt) on a fixed line pitch of 22 lines a page;
section headings (一、二、…) in 黑体; page numbers `— N —` in 宋体 4号 under the text, right on
odd pages and left on even ones. Fonts an office machine may lack are declared in the font
table with the name to use instead (仿宋_GB2312 → 仿宋 → FangSong → Noto Serif CJK SC …).
"""

from __future__ import annotations

from typing import IO

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

from workflows.clean import clean_text
from workflows.documents.circular import Circular, Section, Table
from workflows.messages import Msg, Say

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
NUMBER_FONT = "宋体"
# what each font falls back to where it is not installed (the font table's altName), in turn
FALLBACKS: dict[str, tuple[str, str, str]] = {
    TITLE_FONT: ("宋体", "roman", "variable"),
    BODY_FONT: ("仿宋", "modern", "fixed"),
    "仿宋": ("FangSong", "modern", "fixed"),
    "FangSong": ("Noto Serif CJK SC", "roman", "variable"),
    HEADING_FONT: ("SimHei", "modern", "fixed"),
    "SimHei": ("Noto Sans CJK SC", "swiss", "variable"),
    NUMBER_FONT: ("SimSun", "roman", "variable"),
    "SimSun": ("Noto Serif CJK SC", "roman", "variable"),
}
BODY = Pt(16)  # 3号
TITLE = Pt(22)  # 2号
PAGE_NUMBER = Pt(14)  # 4号
TABLE_TEXT = Pt(12)  # 小四: seven columns fit the 156 mm line
LINE = Pt(28.95)  # 225 mm of text height / 22 lines
INDENT = Pt(32)  # two characters of the body
TEXT_WIDTH = 210 - 28 - 26  # mm between the margins


def _fonts(run: Run, name: str, size: Pt, *, bold: bool = False) -> None:
    """Every script of the run in `name` (east-asian text included), at `size`."""
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    fonts.set(qn("w:hint"), "eastAsia")


def _paragraph(
    doc: DocumentObject,
    text: str,
    *,
    font: str = BODY_FONT,
    size: Pt = BODY,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent: Pt | None = INDENT,
    right: Pt | None = None,
) -> Paragraph:
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.alignment = align
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.first_line_indent = indent
    if right is not None:
        fmt.right_indent = right
    _fonts(p.add_run(clean_text(text)), font, size)
    return p


def _page_number(p: Paragraph) -> None:
    """`— N —`, N the PAGE field."""

    def run(text: str = "") -> Run:
        r = p.add_run(text)
        _fonts(r, NUMBER_FONT, PAGE_NUMBER)
        return r

    run("— ")
    for kind, instruction in (("begin", None), (None, " PAGE "), ("separate", None)):
        r = run()
        if kind is not None:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = instruction
        r._element.append(el)
    run("1")
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run()._element.append(end)
    run(" —")


def _footers(doc: DocumentObject) -> None:
    """Page numbers: odd pages at the right, even pages at the left, one character in."""
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.paragraph_format.alignment = align
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            p.paragraph_format.right_indent = PAGE_NUMBER
        else:
            p.paragraph_format.left_indent = PAGE_NUMBER
        _page_number(p)


def _declare_fallbacks(doc: DocumentObject) -> None:
    """Each Chinese font in the font table, with the font to use where it is missing."""
    part = doc.part.part_related_by(RT.FONT_TABLE)
    table = parse_xml(part.blob)
    for name, (alt, family, pitch) in FALLBACKS.items():
        table.append(
            parse_xml(
                f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{alt}"/>'
                f'<w:charset w:val="86"/><w:family w:val="{family}"/>'
                f'<w:pitch w:val="{pitch}"/></w:font>'
            )
        )
    # python-docx keeps the font table as an opaque part: its bytes are replaced whole
    part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)


def _table(doc: DocumentObject, table: Table, say: Say) -> None:
    rows = [tuple(say(h) for h in table.header)] + [
        tuple(v if isinstance(v, str) else say(v) if isinstance(v, Msg) else str(v) for v in row)
        for row in table.rows
    ]
    t = doc.add_table(rows=len(rows), cols=len(table.header))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    first = TEXT_WIDTH * 0.26  # the unit's name; the figures share the rest
    widths = [first] + [(TEXT_WIDTH - first) / (len(table.header) - 1)] * (len(table.header) - 1)
    for column, width in zip(t.columns, widths, strict=True):
        column.width = Mm(width)
    # row by row: python-docx's `Table.cell(r, c)` walks every cell of the table each time,
    # which made a 300-unit circular take over a minute
    for r, (values, row) in enumerate(zip(rows, t.rows, strict=True)):
        cells = row.cells
        for c, value in enumerate(values):
            cell = cells[c]
            cell.width = Mm(widths[c])
            p = cell.paragraphs[0]
            p.paragraph_format.alignment = (
                WD_ALIGN_PARAGRAPH.LEFT if c == 0 and r > 0 else WD_ALIGN_PARAGRAPH.CENTER
            )
            p.paragraph_format.line_spacing = 1.0
            _fonts(p.add_run(clean_text(value)), HEADING_FONT if r == 0 else BODY_FONT, TABLE_TEXT)
    header = t.rows[0]._tr.get_or_add_trPr()  # the header row again on every page
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header.append(repeat)


def _section(doc: DocumentObject, section: Section, say: Say) -> None:
    _paragraph(doc, say(section.heading), font=HEADING_FONT)
    for paragraph in section.paragraphs:
        _paragraph(doc, say(paragraph))
    if section.table is not None:
        _table(doc, section.table, say)


def write_circular(circular: Circular, say: Say, out: str | IO[bytes]) -> None:
    """Write the circular as .docx to a path or a stream, its text rendered by `say`."""
    doc = Document()
    page = doc.sections[0]
    page.page_width, page.page_height = Mm(210), Mm(297)
    page.top_margin, page.bottom_margin = Mm(37), Mm(35)
    page.left_margin, page.right_margin = Mm(28), Mm(26)
    page.footer_distance = Mm(28)  # the page number sits under the text, above the edge
    _declare_fallbacks(doc)
    _paragraph(doc, "", indent=None)
    _paragraph(
        doc,
        say(circular.title),
        font=TITLE_FONT,
        size=TITLE,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent=None,
    )
    _paragraph(doc, "", indent=None)
    _paragraph(doc, say(circular.to), indent=None)
    _paragraph(doc, say(circular.opening))
    for section in circular.sections:
        _section(doc, section, say)
    _paragraph(doc, "", indent=None)
    _paragraph(
        doc, say(circular.signature), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=None, right=INDENT
    )
    _paragraph(doc, say(circular.dated), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=None, right=Pt(64))
    _footers(doc)
    doc.core_properties.title = say(circular.title)
    doc.save(out)
