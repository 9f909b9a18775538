"""Charts of the indicators as PNG or SVG (matplotlib), for ``--chart`` and the HTML report.

matplotlib's own font has no Thai glyphs, so a Thai-capable font installed on the
machine is looked up and put behind DejaVu Sans (matplotlib falls back glyph by
glyph). Without one the charts are drawn with English labels only — never with
empty boxes — and :func:`thai_font` says so. Colours and hatching are chosen to
read in greyscale print.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dxs.validator.years import be_year

from ..times import display_time
from .percent import percent_text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .indicators import Indicator16, Trend

__all__ = ["THAI_FONTS", "chart_bytes", "draws_thai", "figure", "save_chart", "thai_font"]

#: Thai fonts to prefer, most readable first (Debian: fonts-thai-tlwg, fonts-noto-core).
THAI_FONTS = ("Noto Sans Thai", "Noto Sans Thai UI", "Sarabun", "Loma", "Garuda", "Waree", "Umpush", "Kinnari", "Norasi", "Tlwg Typo")
INK, OBSERVED, DECLARED, TARGET, NEW, REVISION = "#1b1f24", "#0b5cad", "#b9cde6", "#a32020", "#0b5cad", "#7fa7d6"


#: Three Thai letters: a font that really draws Thai gives each its own glyph.
THAI_PROBE = "กขค"


def draws_thai(path: str) -> bool:
    """Whether the font file at ``path`` draws Thai letters, proven by rendering them.

    A character map can claim what the font does not draw: matplotlib's own "Last Resort"
    font maps every code point to one placeholder box. So each probe letter must have a
    glyph of its own (not the missing glyph, not one shared with the others) that puts
    ink on the page, and the three renderings must differ.
    """
    from matplotlib.ft2font import FT2Font

    try:
        font = FT2Font(path)
        glyphs = [font.get_char_index(ord(letter)) for letter in THAI_PROBE]
        if 0 in glyphs or len(set(glyphs)) < len(THAI_PROBE):
            return False
        font.set_size(24, 72)
        drawn = set()
        for letter in THAI_PROBE:
            font.set_text(letter)
            font.draw_glyphs_to_bitmap()
            image = font.get_image()
            if not image.any():
                return False
            drawn.add(bytes(image))
    except (OSError, RuntimeError, ValueError):
        return False
    return len(drawn) == len(THAI_PROBE)


@lru_cache(maxsize=1)
def thai_font() -> str | None:
    """The family name of an installed font that draws Thai (see :func:`draws_thai`), or ``None``."""
    from matplotlib import font_manager

    known = {f.fname for f in font_manager.fontManager.ttflist}
    # matplotlib's font list is a cache made when it first ran: a Thai font installed since
    # (e.g. fonts-thai-tlwg) is only on the system's list, so both are looked through
    candidates = [(f.name, f.fname) for f in font_manager.fontManager.ttflist]
    for path in sorted(set(font_manager.findSystemFonts()) - known):
        try:
            candidates.append((font_manager.get_font(path).family_name, path))
        except (OSError, RuntimeError):
            continue
    ranked = sorted(candidates, key=lambda c: THAI_FONTS.index(c[0]) if c[0] in THAI_FONTS else len(THAI_FONTS))
    for name, path in ranked:  # the preferred ones first, each proven all the same
        if draws_thai(path):
            for other_name, other in candidates:  # the family's every face (bold, italic), for matplotlib to choose from
                if other_name == name and other not in known:
                    font_manager.fontManager.addfont(other)
            return name
    return None


def _setup(lang: str) -> str:
    """Configure matplotlib for ``lang`` (``th``, ``en`` or ``both``); the language actually used."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import rcParams

    font = thai_font()
    rcParams["font.family"] = ["DejaVu Sans", font] if font else ["DejaVu Sans"]
    rcParams["svg.fonttype"] = "none"  # text stays text in SVG: searchable, and crisp in print
    rcParams["axes.edgecolor"] = INK
    rcParams["axes.spines.top"] = rcParams["axes.spines.right"] = False
    return lang if font else "en"


def _t(lang: str, th: str, en: str, sep: str = " · ") -> str:
    return {"th": th, "en": en}.get(lang, f"{th}{sep}{en}")


def _percent(axis: Any) -> None:
    from matplotlib.ticker import PercentFormatter

    axis.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    axis.set_ylim(0, 1.2)  # head-room for the legend above the 100% line
    axis.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])


def _draw_15(ax: Any, trend: Trend, lang: str) -> None:
    years = [f"{p.year}\n{_t(lang, 'พ.ศ. ', 'BE ') if lang != 'both' else ''}{p.be}" for p in trend.periods]
    new = [i.new for i in trend.indicator15]
    revisions = [i.revisions for i in trend.indicator15]
    x = range(len(years))
    ax.bar(x, new, color=NEW, edgecolor=INK, linewidth=0.6, label=_t(lang, "มาตรฐานใหม่", "new standards"))
    ax.bar(x, revisions, bottom=new, color=REVISION, edgecolor=INK, linewidth=0.6, hatch="//", label=_t(lang, "ฉบับปรับปรุง", "revisions"))
    targets = [i.target for i in trend.indicator15]
    for n, target in enumerate(targets):
        if target is not None:
            ax.hlines(target, n - 0.45, n + 0.45, colors=TARGET, linestyles="--", linewidth=2)
    if any(t is not None for t in targets):
        ax.plot([], [], color=TARGET, linestyle="--", linewidth=2, label=_t(lang, "เป้าหมาย", "target"))
    for n, i in enumerate(trend.indicator15):
        ax.annotate(str(i.headline), (n, i.headline), ha="center", va="bottom", fontsize=9, xytext=(0, 2), textcoords="offset points")
    ax.set_xticks(list(x), years, fontsize=8)
    ax.set_ylabel(_t(lang, "จำนวนประกาศ", "announcements"))
    ax.set_title(_t(lang, "ตัวชี้วัดที่ 15 มาตรฐานที่ประกาศใช้ต่อปี", "Indicator 15: standards announced per year"), loc="left", fontsize=11)
    ax.legend(fontsize=8, frameon=False, loc="upper right")


def _draw_16(ax: Any, indicator: Indicator16, lang: str) -> None:
    names = [_t(lang, s.name_th, s.name_en) if lang != "both" else f"{s.name_th}\n{s.name_en}" for s in indicator.sectors]
    x = list(range(len(names)))
    declared = [s.declared_rate or 0 for s in indicator.sectors]
    observed = [s.observed_rate or 0 for s in indicator.sectors]
    ax.bar([i - 0.2 for i in x], declared, width=0.4, color=DECLARED, edgecolor=INK, linewidth=0.6, hatch="..", label=_t(lang, "ตามที่แจ้ง", "declared"))
    ax.bar([i + 0.2 for i in x], observed, width=0.4, color=OBSERVED, edgecolor=INK, linewidth=0.6, label=_t(lang, "เกิดขึ้นจริง (ตัวเลขหลัก)", "observed (headline)"))
    for i, s in enumerate(indicator.sectors):
        ax.hlines(s.target, i - 0.45, i + 0.45, colors=TARGET, linestyles="--", linewidth=2)
        ax.annotate(percent_text(s.observed_rate), (i + 0.2, observed[i]), ha="center", va="bottom", fontsize=8, xytext=(0, 2), textcoords="offset points")
    ax.plot([], [], color=TARGET, linestyle="--", linewidth=2, label=_t(lang, "เป้าหมาย", "target"))
    ax.set_xticks(x, names, fontsize=7, rotation=30 if lang != "both" else 0, ha="right" if lang != "both" else "center")
    _percent(ax)
    p = indicator.period
    title = _t(lang, f"ตัวชี้วัดที่ 16 หน่วยงานที่แลกเปลี่ยนข้อมูลด้วยมาตรฐานกลาง {p.label_th}", f"Indicator 16: agencies exchanging under common standards, {p.label_en}", "\n")
    ax.set_title(title, loc="left", fontsize=11)
    ax.legend(fontsize=8, frameon=False, loc="upper left", ncols=3)


def _draw_16_trend(ax: Any, trend: Trend, lang: str) -> None:
    years = [p.year for p in trend.periods]
    styles = ("-", "--", "-.", ":")
    markers = ("o", "s", "^", "D", "v", "P", "X", "*", "h")
    for n, sector in enumerate(trend.config.key_sectors):
        rates = [i.sector(sector).observed_rate for i in trend.headline16]
        figure = trend.indicator16[0].sector(sector)
        ax.plot(years, [r if r is not None else float("nan") for r in rates], linestyle=styles[n % 4], marker=markers[n % 9],
                markersize=4, linewidth=1.4, label=_t(lang, figure.name_th, figure.name_en))
    target = trend.config.target_16
    ax.axhline(target, color=TARGET, linestyle="--", linewidth=2, label=_t(lang, f"เป้าหมาย {target:.0%}", f"target {target:.0%}"))
    ax.set_xticks(years, [f"{y}\n{be_year(y)}" for y in years], fontsize=8)
    _percent(ax)
    ax.set_title(_t(lang, "ตัวชี้วัดที่ 16 แนวโน้มอัตราที่เกิดขึ้นจริง", "Indicator 16: observed rate over the years"), loc="left", fontsize=11)
    ax.legend(fontsize=7, frameon=False, loc="upper left", ncols=2)


def figure(kind: str, trend: Trend, *, year_index: int = -1, lang: str = "both") -> Figure:
    """One chart: ``indicator15``, ``indicator16`` (the year at ``year_index``), ``trend16``, or ``all`` of them."""
    lang = _setup(lang)
    from matplotlib.figure import Figure

    if kind == "all":
        fig = Figure(figsize=(11, 13), layout="constrained")
        axes = fig.subplots(3, 1)
        _draw_15(axes[0], trend, lang)
        _draw_16(axes[1], trend.headline16[year_index], lang)
        _draw_16_trend(axes[2], trend, lang)
    else:
        fig = Figure(figsize=(11, 4.6), layout="constrained")
        ax = fig.subplots()
        {"indicator15": lambda: _draw_15(ax, trend, lang), "indicator16": lambda: _draw_16(ax, trend.headline16[year_index], lang),
         "trend16": lambda: _draw_16_trend(ax, trend, lang)}[kind]()
    prov = trend.provenance
    stamp = f"as of {display_time(prov.as_of)} · log checkpoint {prov.log_size} ({(prov.log_root or '-')[:16]}…)"
    if trend.demo:
        stamp = "DEMO DATA · " + ("" if lang == "en" else "ข้อมูลสาธิต · ") + stamp
    fig.supxlabel(stamp, x=0.99, ha="right", fontsize=7, color="#5b6470")
    return fig


def chart_bytes(
    kind: str, trend: Trend, *, fmt: str = "svg", year_index: int = -1, lang: str = "both", text_as_paths: bool = False
) -> bytes:
    """A chart rendered as ``svg`` or ``png`` bytes.

    SVG text stays text unless ``text_as_paths``: then each label is drawn as glyph outlines,
    for renderers that place SVG text letter by letter (WeasyPrint), which would break Thai.
    """
    from matplotlib import rc_context

    buffer = io.BytesIO()
    fig = figure(kind, trend, year_index=year_index, lang=lang)
    with rc_context({"svg.fonttype": "path" if text_as_paths else "none"}):
        fig.savefig(buffer, format=fmt, dpi=150, facecolor="white")
    return buffer.getvalue()


def save_chart(path: Path, trend: Trend, *, year_index: int = -1, lang: str = "both", kind: str = "all") -> str:
    """Write the charts to ``path`` (``.png`` or ``.svg``); return the format written.

    :raises ValueError: the file name ends in neither.
    """
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise ValueError(f"{path}: a chart is written as .png or .svg")
    path.write_bytes(chart_bytes(kind, trend, fmt=fmt, year_index=year_index, lang=lang))
    return fmt

