"""The indicators report as PDF: the HTML report of :mod:`.render`, laid out on A4 by WeasyPrint.

WeasyPrint shapes Thai with Pango and HarfBuzz from the fonts installed on the machine
(fontconfig): the print stylesheet names Thai families in order of preference, and
nothing is fetched (the HTML is self-contained; a fetch is refused). Without Pango the
PDF cannot be made at all (:class:`PdfUnavailable`); without a Thai font it can, but
Thai prints as boxes, which :func:`thai_font_note` says.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any, NoReturn

from .render import STATUS, report_html

if TYPE_CHECKING:
    from .indicators import IndicatorReport, Trend

__all__ = ["PDF_FONT_FAMILIES", "PdfUnavailable", "font_families", "html_to_pdf", "installed_families", "print_css", "report_pdf", "thai_font_note"]

#: Thai families the PDF prefers, the first installed one first: Sarabun / TH Sarabun New (the
#: government's typeface), else Debian's fonts-thai-tlwg; any sans-serif comes last.
PDF_FONT_FAMILIES = ("Sarabun", "TH Sarabun New", "Garuda", "Loma", "Norasi", "Kinnari")
#: Body size by family: TH Sarabun New draws small on its body, so Thai documents set it larger.
FONT_SIZES = {"TH Sarabun New": "14pt"}
#: What to install for WeasyPrint's system libraries (Debian and Ubuntu package names).
PANGO_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0"


class PdfUnavailable(Exception):
    """WeasyPrint or its system libraries (Pango) cannot be loaded, so no PDF can be made."""

    exit_code = 2  # ``dxs report indicators --format pdf`` on a machine not set up for it


@lru_cache(maxsize=1)
def installed_families() -> frozenset[str]:
    """The family names of the fonts installed on the machine, as their files name them."""
    from matplotlib import font_manager

    names = set()
    for path in font_manager.findSystemFonts():
        try:
            names.add(font_manager.get_font(path).family_name)
        except (OSError, RuntimeError):
            continue
    return frozenset(names)


def font_families() -> tuple[str, ...]:
    """:data:`PDF_FONT_FAMILIES` that are really installed, in order.

    Only installed ones are named: fontconfig answers a missing name with a stand-in
    (Debian aliases "Sarabun" to TLWG's Laksaman, which is drawn small), so "first
    installed" must be decided here, not left to the stylesheet.
    """
    installed = installed_families()
    return tuple(f for f in PDF_FONT_FAMILIES if f in installed)


def _families() -> str:
    return ", ".join([*(f'"{f}"' for f in font_families()), "sans-serif"])


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def print_css(footer: str = "") -> str:
    """The print stylesheet: A4, the Thai font families, and ``footer`` beside "หน้า 1/3" at each page's foot.

    WeasyPrint applies it as a user stylesheet, under the report's own: hence ``!important``
    on the fonts, which must win over the HTML's browser-oriented list.
    """
    families = font_families()
    size = FONT_SIZES.get(families[0], "10pt") if families else "10pt"
    foot = f"font-family: {_families()}; font-size: 8pt; color: #5b6470;"
    return f"""
@page {{
  size: A4;
  margin: 16mm 13mm 18mm;
  @bottom-left {{ content: {_css_string(footer)}; {foot} }}
  @bottom-right {{ content: "หน้า " counter(page) "/" counter(pages); {foot} }}
}}
body {{ font-family: {_families()} !important; font-size: {size} !important; }}
"""


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    # the report is self-contained: anything that asks for a URL is refused, never fetched
    raise ValueError(f"the PDF fetches nothing ({url[:60]})")


def _weasyprint() -> Any:
    """The ``weasyprint`` module.

    :raises PdfUnavailable: it is not installed, or Pango (which it loads at import) is missing.
    """
    try:
        import weasyprint
    except OSError as exc:  # cffi could not open libpango / libpangoft2
        raise PdfUnavailable(
            f"a PDF needs the Pango libraries, which did not load ({exc}); "
            f"install them with `apt-get install {PANGO_PACKAGES}`, or use --format html"
        ) from None
    except ImportError as exc:
        raise PdfUnavailable(f"a PDF needs WeasyPrint ({exc}); install it with `pip install weasyprint`, or use --format html") from None
    return weasyprint


def html_to_pdf(html: str, *, footer: str = "") -> bytes:
    """``html`` laid out as an A4 PDF with page numbers, ``footer`` at the foot of each page.

    :raises PdfUnavailable: WeasyPrint or Pango cannot be loaded.
    """
    weasyprint = _weasyprint()
    document = weasyprint.HTML(string=html, url_fetcher=_no_fetch)
    pdf: bytes = document.write_pdf(stylesheets=[weasyprint.CSS(string=print_css(footer))])
    return pdf


#: The charts the report carries (:func:`.charts.chart_bytes` kinds).
CHARTS = ("indicator15", "indicator16", "trend16")


def report_pdf(report: IndicatorReport, trend: Trend, *, lang: str = "both", lang_note: str = "") -> bytes:
    """The HTML report (:func:`.render.report_html`) as PDF; each page's foot names the period and the figures' status.

    The charts are drawn here with their labels as glyph outlines: WeasyPrint lays SVG
    text out letter by letter, which would tear Thai vowels and tone marks from their letters.

    :raises PdfUnavailable: WeasyPrint or Pango cannot be loaded.
    """
    from .charts import chart_bytes

    _weasyprint()  # fail before drawing the charts, not after
    charts = {kind: chart_bytes(kind, trend, fmt="svg", lang=lang, text_as_paths=True).decode() for kind in CHARTS}
    status = "published" if report.published is not None else "computed"
    parts = [f"ตัวชี้วัดที่ 15 และ 16 · {report.period.label_th}", STATUS[status][0]]
    if report.revised:
        parts.append(f"มี{STATUS['revised'][0]}")
    if report.demo:
        parts.append("ข้อมูลสาธิต · DEMO DATA")
    return html_to_pdf(report_html(report, trend, charts=charts, lang_note=lang_note), footer=" · ".join(parts))


def thai_font_note() -> str | None:
    """What to say when no installed font draws Thai (the PDF would print Thai as boxes); ``None`` when one does."""
    from .charts import thai_font

    if thai_font() is not None:
        return None
    return "no Thai font is installed (e.g. apt-get install fonts-thai-tlwg): Thai in the PDF prints as boxes"
