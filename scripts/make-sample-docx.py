#!/usr/bin/env python3
"""Writes report/policy-brief.docx, the sample report's contribution that
arrives as a Word document: a member's policy brief with a title block,
headings, footnotes, a numbered and a bulleted list, a table with a
caption, a figure with alt text, an equation (OMML) and a link.

The package is written here from its XML with the standard library only,
so the committed file is reviewable text in this script, not an opaque
binary: `python3 scripts/make-sample-docx.py` rewrites it, and a test
(tests/testsuite/docx.rs) checks the committed file holds what this
script writes. Its parts are those Word itself writes, with Word's own
style names and ids.

The text is licensed CC BY 4.0, as the rest of the sample report.
"""

import struct
import sys
import zipfile
import zlib
from pathlib import Path
from xml.sax.saxutils import escape

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
M = "http://schemas.openxmlformats.org/officeDocument/2006/math"
NS = (
    f'xmlns:w="{W}" xmlns:r="{R}" xmlns:m="{M}" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"'
)


def run(text, bold=False, italic=False, style=None):
    props = ""
    if style:
        props += f'<w:rStyle w:val="{style}"/>'
    if bold:
        props += "<w:b/>"
    if italic:
        props += "<w:i/>"
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def para(*runs, style=None, num=None):
    ppr = ""
    if style or num:
        ppr = "<w:pPr>"
        if style:
            ppr += f'<w:pStyle w:val="{style}"/>'
        if num:
            ppr += f'<w:numPr><w:ilvl w:val="0"/><w:numId w:val="{num}"/></w:numPr>'
        ppr += "</w:pPr>"
    return f"<w:p>{ppr}{''.join(runs)}</w:p>"


def note_ref(n):
    return f'<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteReference w:id="{n}"/></w:r>'


def link(rid, text):
    return f'<w:hyperlink r:id="{rid}">{run(text, style="Hyperlink")}</w:hyperlink>'


def cell(text, header=False):
    return f'<w:tc><w:tcPr><w:tcW w:w="3000" w:type="dxa"/></w:tcPr>{para(run(text, bold=header))}</w:tc>'


def row(cells, header=False):
    trpr = "<w:trPr><w:tblHeader/></w:trPr>" if header else ""
    return f"<w:tr>{trpr}{''.join(cell(c, header) for c in cells)}</w:tr>"


def bookmark(name, inner, n):
    return f'<w:bookmarkStart w:id="{n}" w:name="{name}"/>{inner}<w:bookmarkEnd w:id="{n}"/>'


def seq_caption(label, kind, bookmark_name, n, text):
    """A Word caption: the label, a SEQ field with its number, the text."""
    field = (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> SEQ {kind} \\* ARABIC </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f"{run(str(n))}"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )
    return para(bookmark(bookmark_name, run(f"{label} ") + field, n + 10), run(f": {text}"), style="Caption")


def ref_field(bookmark_name, shown):
    """A cross-reference (Insert › Cross-reference): a REF field to a bookmark."""
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> REF {bookmark_name} \\h </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f"{run(shown)}"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def equation():
    """E[H] = sum_{i=1}^{n} p_i h_i, as Word's equation editor writes it."""

    def mr(text):
        return f"<m:r><m:t>{escape(text)}</m:t></m:r>"

    def sub(base, script):
        return f"<m:sSub><m:e>{mr(base)}</m:e><m:sub>{mr(script)}</m:sub></m:sSub>"

    nary = (
        '<m:nary><m:naryPr><m:chr m:val="\u2211"/></m:naryPr>'
        f"<m:sub>{mr('i=1')}</m:sub><m:sup>{mr('n')}</m:sup>"
        f"<m:e>{sub('p', 'i')}{sub('h', 'i')}</m:e></m:nary>"
    )
    return f"<m:oMathPara><m:oMath>{mr('E')}<m:d><m:dPr><m:begChr m:val=\"[\"/><m:endChr m:val=\"]\"/></m:dPr><m:e>{mr('H')}</m:e></m:d>{mr('=')}{nary}</m:oMath></m:oMathPara>"


def figure(rid, alt, cx, cy):
    emu = 9525  # one pixel at 96 dpi
    return (
        "<w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr><w:r><w:drawing>"
        f'<wp:inline><wp:extent cx="{cx * emu}" cy="{cy * emu}"/>'
        f'<wp:docPr id="1" name="Picture 1" descr="{escape(alt, {chr(34): "&quot;"})}"/>'
        '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        '<pic:pic><pic:nvPicPr><pic:cNvPr id="1" name="steps.png"/><pic:cNvPicPr/></pic:nvPicPr>'
        f'<pic:blipFill><a:blip r:embed="{rid}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
        f'<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx * emu}" cy="{cy * emu}"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>'
        "</a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"
    )


def png_steps(width=480, height=200):
    """Four steps of increasing height, in the report's blue, as a PNG."""
    bg, fg = (255, 255, 255), (31, 78, 121)
    rows = []
    for y in range(height):
        line = bytearray([0])
        for x in range(width):
            step = x * 4 // width
            top = height - (step + 1) * height // 4
            margin = x % (width // 4) < 8
            line += bytes(fg if y >= top and not margin else bg)
        rows.append(bytes(line))
    raw = b"".join(rows)

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


APPROACHES = [
    ("Wait and see", "No rules specific to virtual currencies", "Monitoring; warnings to consumers"),
    ("Guidance", "Existing law applied by a published interpretation", "FinCEN's guidance of March 2013"),
    ("Sandbox", "Temporary relief under close supervision", "The FCA's regulatory sandbox, 2016"),
    ("Bespoke licence", "A licence for virtual currency businesses", "New York's BitLicense, 2015"),
]


def document():
    body = [
        para(run("Four ways to regulate virtual currency businesses"), style="Title"),
        para(run("A policy brief for supervisors"), style="Subtitle"),
        para(run("Dynamic Coalition on Blockchain Technologies (COALA)"), style="Author"),
        para(
            run(
                "Supervisors asked to license exchanges and wallet providers have so far chosen among four "
                "approaches. This brief compares them and proposes a test of proportionality."
            ),
            style="Abstract",
        ),
        para(run("The choice supervisors face"), style="Heading1"),
        para(
            run("A business that exchanges virtual currency for money, or keeps it for its customers, raises "),
            run("the same risks", italic=True),
            run(" as a money transmitter: loss of customers' funds, money laundering and fraud."),
            note_ref(1),
            run(" What differs is the "),
            run("instrument", bold=True),
            run(" a supervisor uses. "),
            ref_field("_Ref_approaches", "Table 1"),
            run(" sets the four approaches seen by 2016 side by side, and "),
            ref_field("_Ref_steps", "Figure 1"),
            run(" shows them as steps of increasing intervention."),
        ),
        seq_caption("Table", "Table", "_Ref_approaches", 1, "Four approaches to virtual currency businesses"),
        "<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/><w:tblW w:w=\"0\" w:type=\"auto\"/>"
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr>'
        '<w:tblGrid><w:gridCol w:w="3000"/><w:gridCol w:w="3000"/><w:gridCol w:w="3000"/></w:tblGrid>'
        + row(["Approach", "What it means", "Example"], header=True)
        + "".join(row(list(a)) for a in APPROACHES)
        + "</w:tbl>",
        figure("rIdImage1", "Four steps of increasing height, labelled in the text from monitoring to a bespoke licence", 480, 200),
        seq_caption("Figure", "Figure", "_Ref_steps", 1, "The approaches as steps of increasing intervention"),
        para(run("A test of proportionality"), style="Heading1"),
        para(
            run(
                "An approach is proportionate when the intervention it asks of a business grows with the harm "
                "that business can cause. Weighing each harm "
            ),
            run("h", italic=True),
            run(" by its likelihood "),
            run("p", italic=True),
            run(" gives the expected harm a supervisor can compare across businesses:"),
        ),
        f"<w:p>{equation()}</w:p>",
        para(run("Applied to the four approaches, the test suggests:")),
        para(run("waiting and seeing while the expected harm stays small;"), style="ListParagraph", num=1),
        para(run("guidance once businesses hold customers' funds;"), style="ListParagraph", num=1),
        para(run("a sandbox for models the existing law does not foresee;"), style="ListParagraph", num=1),
        para(
            run("a bespoke licence only where the other three leave a harm unaddressed."),
            note_ref(2),
            style="ListParagraph",
            num=1,
        ),
        para(run("What supervisors can share"), style="Heading2"),
        para(run("Whatever their approach, supervisors gain from sharing:")),
        para(run("the definitions they use, so that a licence in one place is understood in another;"), style="ListParagraph", num=2),
        para(run("the incidents they see, as the coalition's use cases do;"), style="ListParagraph", num=2),
        para(
            run("the results of their sandboxes, published for the others to read."),
            style="ListParagraph",
            num=2,
        ),
        para(
            run("The coalition's work on these questions continues at the "),
            link("rIdLink1", "Internet Governance Forum"),
            run("."),
        ),
        '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="708" w:footer="708" w:gutter="0"/></w:sectPr>',
    ]
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document {NS}><w:body>{"".join(body)}</w:body></w:document>'


def footnotes():
    notes = [
        "Financial Crimes Enforcement Network, Application of FinCEN's Regulations to Persons Administering, "
        "Exchanging, or Using Virtual Currencies, FIN-2013-G001, 18 March 2013.",
        "New York State Department of Financial Services, Virtual Currencies, 23 NYCRR Part 200, in force since 24 June 2015.",
    ]
    sep = (
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
    )
    body = "".join(
        f'<w:footnote w:id="{i}"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr>'
        f'<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteRef/></w:r>{run(" " + text)}</w:p></w:footnote>'
        for i, text in enumerate(notes, 1)
    )
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:footnotes {NS}>{sep}{body}</w:footnotes>'


def styles():
    def style(kind, sid, name, based=None, outline=None, extra=""):
        b = f'<w:basedOn w:val="{based}"/>' if based else ""
        o = f'<w:pPr><w:outlineLvl w:val="{outline}"/></w:pPr>' if outline is not None else ""
        return f'<w:style w:type="{kind}" w:styleId="{sid}"><w:name w:val="{name}"/>{b}<w:qFormat/>{o}{extra}</w:style>'

    all_styles = [
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>',
        style("paragraph", "Title", "Title", "Normal"),
        style("paragraph", "Subtitle", "Subtitle", "Normal"),
        style("paragraph", "Author", "Author", "Normal"),
        style("paragraph", "Abstract", "Abstract", "Normal"),
        style("paragraph", "Heading1", "heading 1", "Normal", 0),
        style("paragraph", "Heading2", "heading 2", "Normal", 1),
        style("paragraph", "Caption", "caption", "Normal"),
        style("paragraph", "ListParagraph", "List Paragraph", "Normal"),
        style("paragraph", "FootnoteText", "footnote text", "Normal"),
        style("character", "FootnoteReference", "footnote reference", extra='<w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'),
        style("character", "Hyperlink", "Hyperlink", extra='<w:rPr><w:color w:val="0563C1"/><w:u w:val="single"/></w:rPr>'),
        '<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/></w:style>',
    ]
    defaults = '<w:docDefaults><w:rPrDefault><w:rPr><w:lang w:val="en-GB"/></w:rPr></w:rPrDefault></w:docDefaults>'
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:styles {NS}>{defaults}{"".join(all_styles)}</w:styles>'


def numbering():
    def abstract(n, fmt, text):
        return (
            f'<w:abstractNum w:abstractNumId="{n}"><w:multiLevelType w:val="hybridMultilevel"/>'
            f'<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/>'
            '<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="720" w:hanging="360"/></w:pPr></w:lvl></w:abstractNum>'
        )

    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:numbering {NS}>'
        + abstract(0, "decimal", "%1.")
        + abstract(1, "bullet", "\u2022")
        + '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>'
        + "</w:numbering>"
    )


CORE = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>Four ways to regulate virtual currency businesses</dc:title><dc:creator>Dynamic Coalition on Blockchain Technologies (COALA)</dc:creator><cp:keywords>virtual currency regulation, licensing, regulatory sandbox, proportionality</cp:keywords><dcterms:created xsi:type="dcterms:W3CDTF">2016-12-08T00:00:00Z</dcterms:created></cp:coreProperties>"""

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/><Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>"""

PACKAGE_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>"""

DOCUMENT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/><Relationship Id="rIdImage1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image1.png"/><Relationship Id="rIdLink1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://www.intgovforum.org/" TargetMode="External"/></Relationships>"""


def parts():
    """The package's parts, in the order Word writes them."""
    return [
        ("[Content_Types].xml", CONTENT_TYPES.encode()),
        ("_rels/.rels", PACKAGE_RELS.encode()),
        ("word/document.xml", document().encode()),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS.encode()),
        ("word/styles.xml", styles().encode()),
        ("word/numbering.xml", numbering().encode()),
        ("word/footnotes.xml", footnotes().encode()),
        ("word/media/image1.png", png_steps()),
        ("docProps/core.xml", CORE.encode()),
    ]


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "report/policy-brief.docx"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
