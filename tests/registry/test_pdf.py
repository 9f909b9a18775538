"""The indicators report as PDF: A4 pages that print Thai as letters, with page numbers, the Thai title and dates.

The pages are opened with poppler-utils (``pdftoppm``, ``pdftotext``) as a reader's viewer
would; without them, or without a Thai font, these tests skip outside CI and fail in CI.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest

from dxs.registry.reporting import pdf
from tests.conftest import need
from tests.kit.reports import sample_report, sample_trend

#: Thai vowels and tone marks written above or below a letter: nothing but their letter precedes them.
THAI_MARKS = "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e"


def _poppler() -> None:
    need(shutil.which("pdftoppm") is not None and shutil.which("pdftotext") is not None,
         "poppler-utils (pdftoppm, pdftotext) is not installed: apt-get install poppler-utils")


def _thai_font() -> None:
    need(bool(pdf.font_families()), "no Thai font is installed (apt-get install fonts-thai-tlwg)")


def _pdf_text(path: Path) -> str:
    """The PDF's text as ``pdftotext`` extracts it, with the space it sets before a shifted Thai mark removed.

    Thai extracts imperfectly from WeasyPrint's PDFs: a glyph's text is the text of the first
    cluster it was drawn in (so า may come out as ำ, a mark beside its letter may be lost), whereas
    the page shows the right letters. The assertions stay with text that extracts as written.
    """
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return re.sub(rf"\s+(?=[{THAI_MARKS}])", "", text)


@pytest.fixture(scope="module")
def revised_pdf(tmp_path_factory) -> tuple[Path, list[logging.LogRecord]]:
    """The published-and-revised report as a PDF file, and what WeasyPrint logged making it."""
    report = sample_report(published=True, revised=True)
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(logging.WARNING)
    logging.getLogger("weasyprint").addHandler(handler)
    try:
        data = pdf.report_pdf(report, sample_trend(report))
    finally:
        logging.getLogger("weasyprint").removeHandler(handler)
    path = tmp_path_factory.mktemp("pdf") / "indicators-2564-fiscal.pdf"
    path.write_bytes(data)
    return path, records


def test_the_pdf_is_a4_with_numbered_pages_and_thai_text(revised_pdf):
    _poppler()
    _thai_font()
    path, _ = revised_pdf
    with pikepdf.open(path) as document:
        pages = len(document.pages)
        boxes = {tuple(round(float(x)) for x in page.mediabox) for page in document.pages}
    assert pages >= 2 and boxes == {(0, 0, 595, 842)}  # A4 in points
    text = _pdf_text(path)
    assert "รายงานตัวชี้วัดที่ 15 และ 16" in text  # the Thai title
    assert "1 ต.ค. 2563 – 30 ก.ย. 2564" in text and "15 มิ.ย. 2564" in text  # Buddhist-Era dates
    assert "revised (not published)" in text and "Approved by" in text
    # each page ends with its number: "หน้า 1/6" (pdftotext may lose the า, see _pdf_text)
    numbers = [re.search(r"หน้\S*\s*\S*\s+(\d+)/(\d+)\s*$", chunk) for chunk in text.split("\f")[:pages]]
    assert [m.groups() if m else None for m in numbers] == [(str(n), str(pages)) for n in range(1, pages + 1)]


def test_the_pdf_draws_every_letter_in_a_thai_font(revised_pdf):
    _thai_font()
    path, records = revised_pdf
    assert not [r.getMessage() for r in records if ".notdef" in r.getMessage()]  # no letter printed as a box
    with pikepdf.open(path) as document:
        fonts = {str(font.get("/BaseFont", "")).split("+")[-1] for page in document.pages
                 for font in page.Resources.get("/Font", {}).values()}
    assert any(name.startswith(pdf.font_families()[0].replace(" ", "")) for name in fonts), fonts


def test_the_pdf_pages_render(revised_pdf, tmp_path):
    """Every page rasterises (what a viewer or printer does) and carries ink."""
    _poppler()
    path, _ = revised_pdf
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / "page")], check=True)
    pngs = sorted(tmp_path.glob("page-*.png"))
    with pikepdf.open(path) as document:
        assert len(pngs) == len(document.pages)
    for png in pngs:
        data = png.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 2_000  # a blank A4 page at 40 dpi is far smaller


def test_only_installed_thai_fonts_are_named(monkeypatch):
    # Debian aliases a missing "Sarabun" to TLWG's Laksaman; naming it would print small Laksaman
    monkeypatch.setattr(pdf, "installed_families", lambda: frozenset({"Loma", "Garuda", "DejaVu Sans"}))
    assert pdf.font_families() == ("Garuda", "Loma")
    assert 'font-family: "Garuda", "Loma", sans-serif !important' in pdf.print_css()
    monkeypatch.setattr(pdf, "installed_families", lambda: frozenset({"TH Sarabun New", "Garuda"}))
    assert pdf.font_families()[0] == "TH Sarabun New" and "font-size: 14pt" in pdf.print_css()
    monkeypatch.setattr(pdf, "installed_families", lambda: frozenset())
    assert "font-family: sans-serif !important" in pdf.print_css()


def test_without_a_thai_font_the_note_says_thai_prints_as_boxes(monkeypatch):
    from dxs.registry.reporting import charts

    monkeypatch.setattr(charts, "thai_font", lambda: None)
    assert "boxes" in pdf.thai_font_note() and "fonts-thai-tlwg" in pdf.thai_font_note()
    monkeypatch.setattr(charts, "thai_font", lambda: "Garuda")
    assert pdf.thai_font_note() is None


class _NoPango:
    """An import hook that fails ``import weasyprint`` as a machine without Pango does (cffi's OSError)."""

    def find_spec(self, name, path=None, target=None):
        if name == "weasyprint" or name.startswith("weasyprint."):
            raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file")
        return None


def test_without_pango_the_error_says_what_to_install(monkeypatch):
    for name in [n for n in sys.modules if n == "weasyprint" or n.startswith("weasyprint.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [_NoPango(), *sys.meta_path])
    with pytest.raises(pdf.PdfUnavailable) as failure:
        pdf.html_to_pdf("<p>ทดสอบ</p>")
    assert failure.value.exit_code == 2
    assert "apt-get install libpango-1.0-0 libpangoft2-1.0-0" in str(failure.value) and "--format html" in str(failure.value)


# --------------------------------------------------------------------------- dxs report indicators --format pdf


@pytest.fixture
def computed(monkeypatch):
    """``dxs report indicators`` computing the published-and-revised sample instead of reading a registry."""
    from dxs.registry.reporting import run

    report = sample_report(published=True, revised=True)
    monkeypatch.setattr(run, "compute", lambda *args, **kwargs: (report, sample_trend(report)))
    return report


def test_dxs_report_indicators_writes_the_pdf_named_by_the_year(computed, tmp_path, monkeypatch):
    from dxs import cli
    from click.testing import CliRunner

    monkeypatch.chdir(tmp_path)
    got = CliRunner().invoke(cli.main, ["report", "indicators", "--year", "2564", "--format", "pdf", "--database", "sqlite:///unused"])
    assert got.exit_code == 0, got.output
    written = tmp_path / "indicators-2564-fiscal.pdf"
    assert f"wrote {written.name}" in got.output and written.read_bytes()[:5] == b"%PDF-"


def test_dxs_report_indicators_without_pango_exits_2_saying_what_to_install(computed, tmp_path, monkeypatch):
    from dxs import cli
    from click.testing import CliRunner

    for name in [n for n in sys.modules if n == "weasyprint" or n.startswith("weasyprint.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [_NoPango(), *sys.meta_path])
    target = tmp_path / "out.pdf"
    got = CliRunner().invoke(cli.main, ["report", "indicators", "--format", "pdf", "-o", str(target), "--database", "sqlite:///unused"])
    assert got.exit_code == 2 and "apt-get install libpango-1.0-0 libpangoft2-1.0-0" in got.output
    assert not target.exists()
