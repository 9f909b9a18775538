"""Charts never print Thai as empty boxes: a Thai font must be proven to draw Thai, else English labels."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest
from click.testing import CliRunner

from dxs.registry.reporting import charts
from tests.conftest import need
from tests.registry.test_demo_report import seeded  # noqa: F401  (the fixture)

MPL_FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
TLWG = Path("/usr/share/fonts/truetype/tlwg/Garuda.ttf")  # Debian's fonts-thai-tlwg, installed by .ci/run


def test_a_font_that_only_claims_thai_is_refused():
    from matplotlib.ft2font import FT2Font

    last_resort = MPL_FONTS / "LastResortHE-Regular.ttf"
    assert 0x0E01 in FT2Font(str(last_resort)).get_charmap(), "its character map claims Thai"
    assert not charts.draws_thai(str(last_resort)), "but it draws one placeholder box for every letter"
    assert not charts.draws_thai(str(MPL_FONTS / "DejaVuSans.ttf"))  # no Thai at all
    assert not charts.draws_thai("/nonexistent/font.ttf")


def test_a_thai_font_is_found_and_draws_thai():
    need(TLWG.exists(), "fonts-thai-tlwg is not installed (apt-get install fonts-thai-tlwg)")
    assert charts.draws_thai(str(TLWG))
    charts.thai_font.cache_clear()
    font = charts.thai_font()
    assert font is not None, "an installed Thai font is found, even one matplotlib's font cache does not list yet"
    from matplotlib import font_manager

    path = font_manager.findfont(font, fallback_to_default=False)
    assert charts.draws_thai(path)


def test_without_a_thai_font_charts_use_english_and_say_so(seeded, tmp_path, monkeypatch):  # noqa: F811
    from dxs import cli
    monkeypatch.setattr(charts, "thai_font", lambda: None)
    assert charts._setup("th") == "en"
    url, _, _ = seeded
    png = tmp_path / "chart.png"
    with _no_missing_glyph_warning():  # English labels only: nothing is drawn as a box
        got = CliRunner().invoke(cli.main, ["report", "indicators", "--year", "2025", "--chart", str(png), "--lang", "th", "--database", url])
    assert got.exit_code == 0, got.output
    assert "no Thai font is installed" in got.stderr and "English labels only" in got.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("lang", ["th", "both"])
def test_thai_labels_render_with_the_font_found(lang, tmp_path):
    need(TLWG.exists(), "fonts-thai-tlwg is not installed (apt-get install fonts-thai-tlwg)")
    charts.thai_font.cache_clear()
    assert charts._setup(lang) == lang
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.set_title("ตัวชี้วัดที่ 16")
    with _no_missing_glyph_warning():
        fig.savefig(tmp_path / "t.png")
    plt.close(fig)


class _no_missing_glyph_warning:
    """Fails if matplotlib warns that a glyph is missing (it then draws a box)."""

    def __enter__(self):
        import warnings

        self._catch = warnings.catch_warnings(record=True)
        self._seen = self._catch.__enter__()
        warnings.simplefilter("always")
        return self

    def __exit__(self, *exc):
        self._catch.__exit__(*exc)
        missing = [str(w.message) for w in self._seen if "missing from font" in str(w.message)]
        assert not missing, missing
        return False
