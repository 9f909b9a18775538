"""Indicators 15 and 16 against answers computed by hand on a small registry (SQLite and PostgreSQL).

The registry (year 2021 unless said otherwise; th.test.permit 1.0.0 was announced
2018-03-01 and deprecated 2021-01-15, 1.1.0 announced 2021-01-15):

    health:  H1, H2, H3 (made inactive), H4 (no links)
    finance: F1, F2, F3

    L1  H1 → F1  permit 1.0.0  from 2019-01-01   event at 2021-01-01 00:30 Bangkok (2020-12-31T17:30Z)
    L2  F2 → H2  permit 1.0.0  from 2020-06-01   event on 2021-03-01, after 1.0.0 was deprecated
    L3  H2 → H1  permit 1.1.0  2021-02-01 to 2021-06-30 (ends mid-year)   event 2021-05-01
    L4  F3 → H3  permit 1.1.0  from 2021-03-01   event 2021-04-01; H3 is then suspended

By hand, 2021: health 3 active agencies (H1, H2, H4), declared 2 (H1, H2), observed 2;
finance 3 (F1, F2, F3), declared 3, observed 2 (F2's only link saw events only after
its version was deprecated). F1 exchanges with health agencies and counts once, in finance.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from registry.demo import catalog_as_of
from registry.reporting import indicators
from registry.reporting.config import IndicatorConfig
from registry.reporting.periods import Period
from registry.api_models import AgencyCreate, AgencyUpdate, EventBatch, EventRecord, LinkCreate
from registry.services import agencies, events, links
from registry.services.callers import Caller
from validator import Catalog

CONFIG = IndicatorConfig(key_sectors=("health", "finance"))
UTC = dt.UTC
OPERATOR = Caller.system("test")


def _catalog(permit_catalog: Catalog) -> Catalog:
    """The fixture catalog plus th.test.licence: 1.0.0 announced 2020-09-30, patch 1.0.1 on 2020-10-01."""
    permit = permit_catalog.standard("th.test.permit")
    base = permit.version("1.0.0")
    announced = [h for h in base.history if h.status != "deprecated"]

    def version(number: str, day: dt.date):
        history = tuple(dataclasses.replace(h, date=day) if h.status == "announced" else h for h in announced)
        return dataclasses.replace(base, standard_id="th.test.licence", version=number, status="announced", announced=day,
                                   effective=day, sunset=None, history=history)

    licence = dataclasses.replace(permit, id="th.test.licence", sector="health",
                                  versions=(version("1.0.0", dt.date(2020, 9, 30)), version("1.0.1", dt.date(2020, 10, 1))))
    return Catalog([permit, licence])


@pytest.fixture
def catalog(fixture_catalog) -> Catalog:
    return _catalog(fixture_catalog)


def _event(when: dt.datetime, n: int = 0) -> EventRecord:
    return EventRecord(record_id=f"r{n}", window_start=when, window_end=when + dt.timedelta(hours=1), messages=5)


@pytest.fixture
def registry(database, catalog):
    """The registry of the module docstring."""
    with database.write() as tx:
        ids = {}
        for code, sector in (("H1", "health"), ("H2", "health"), ("H3", "health"), ("H4", "health"),
                             ("F1", "finance"), ("F2", "finance"), ("F3", "finance")):
            ids[code] = agencies.create(tx=tx, caller=OPERATOR, data=AgencyCreate(code=code, name_th=f"หน่วยงาน {code}", name_en=f"Agency {code}", sector=sector)).id

        def link(provider: str, consumer: str, version: str, start: dt.date, end: dt.date | None, when: list[dt.datetime]) -> int:
            caller = Caller(role="agency", agency_id=ids[provider], agency_code=provider)
            made = links.declare(tx=tx, caller=caller, catalog=catalog_as_of(catalog, start), data=LinkCreate(
                provider=provider, consumer=consumer, standard="th.test.permit", version=version, purpose="test", start_date=start, end_date=end))
            events.ingest(tx=tx, caller=caller, link_id=made.id, batch=EventBatch(records=[_event(w, n) for n, w in enumerate(when)]))
            return made.id

        link("H1", "F1", "1.0.0", dt.date(2019, 1, 1), None, [dt.datetime(2020, 12, 31, 17, 30, tzinfo=UTC)])
        link("F2", "H2", "1.0.0", dt.date(2020, 6, 1), None, [dt.datetime(2021, 3, 1, 3, tzinfo=UTC)])
        link("H2", "H1", "1.1.0", dt.date(2021, 2, 1), dt.date(2021, 6, 30), [dt.datetime(2021, 5, 1, 3, tzinfo=UTC)])
        link("F3", "H3", "1.1.0", dt.date(2021, 3, 1), None, [dt.datetime(2021, 4, 1, 3, tzinfo=UTC)])
        agencies.update(tx=tx, caller=OPERATOR, code="H3", data=AgencyUpdate(status="inactive"))
    return database


def _figures(database, catalog, period: Period) -> dict[str, tuple[int, int, int]]:
    with database.transaction(write=False) as s:
        found = indicators.report(s, catalog=catalog, period=period, config=CONFIG)
    return {f.sector: (f.agencies, f.declared, f.observed) for f in found.indicator16.sectors}


# --------------------------------------------------------------------------- indicator 16


def test_indicator16_in_2021_by_hand(registry, catalog):
    assert _figures(registry, catalog, Period(2021)) == {"health": (3, 2, 2), "finance": (3, 3, 2)}


def test_a_be_year_is_the_same_year(registry, catalog):
    assert _figures(registry, catalog, Period.of(2564)) == _figures(registry, catalog, Period(2021))


def test_year_boundary_is_bangkok_midnight(registry, catalog):
    # L1's only event starts 2021-01-01 00:30 in Bangkok (still 2020 in UTC): it counts for 2021, not 2020
    assert _figures(registry, catalog, Period(2020)) == {"health": (3, 2, 0), "finance": (3, 2, 0)}


def test_deprecated_version_and_ended_link_stop_counting_the_next_year(registry, catalog):
    # 2022: 1.0.0 is deprecated (L1, L2 out), L3 ended mid-2021; only L4 is in force, with no events in 2022
    assert _figures(registry, catalog, Period(2022)) == {"health": (3, 0, 0), "finance": (3, 1, 0)}


def test_fiscal_year_2564(registry, catalog):
    # 1 October 2020 – 30 September 2021: the same agencies as calendar 2021
    assert _figures(registry, catalog, Period.of(2564, fiscal=True)) == {"health": (3, 2, 2), "finance": (3, 3, 2)}


def test_rates_and_targets(registry, catalog):
    with registry.transaction(write=False) as s:
        found = indicators.report(s, catalog=catalog, period=Period(2021), config=CONFIG)
    finance = found.indicator16.sector("finance")
    assert finance.observed_rate == pytest.approx(2 / 3) and finance.declared_rate == 1.0
    assert finance.target == 0.8 and finance.met is False
    assert found.provenance.log_size > 0 and found.provenance.log_root


def test_drill_down_lists_the_agencies_not_exchanging(registry, catalog):
    with registry.transaction(write=False) as s:
        health = indicators.drill_down(s, catalog=catalog, period=Period(2021), config=CONFIG, sector="health")
        finance = indicators.drill_down(s, catalog=catalog, period=Period(2021), config=CONFIG, sector="finance")
    assert [(m.code, m.declared) for m in health.missing] == [("H4", False)]  # H3 is suspended: not listed
    assert [(m.code, m.declared) for m in finance.missing] == [("F2", True)]


def test_events_after_the_checkpoint_are_not_counted(registry, catalog):
    with registry.transaction(write=False) as s:
        prov = indicators.provenance(s)
        early = indicators.indicator16(s, catalog, Period(2021), CONFIG, log_size=prov.log_size - 6)
    # at the checkpoint before L2's batch only L1's event had been logged (the links are all there)
    assert [(f.sector, f.observed) for f in early.sectors] == [("health", 1), ("finance", 1)]


def test_an_empty_registry_reports_zero_agencies(database, catalog):
    assert _figures(database, catalog, Period(2021)) == {"health": (0, 0, 0), "finance": (0, 0, 0)}


# --------------------------------------------------------------------------- indicator 15


def _register_catalog(permit_catalog: Catalog) -> Catalog:
    """Announcements by hand: a standard announced twice, a package counted once, a guideline, a year-only row.

    TEST 1-2561 (2018-03-01)  announces th.test.permit 1.0.0 — new
    TEST 4-2563 (2020-09)     a guideline (month only)
    TEST 7-2564 (year only)   announces th.test.permit 1.1.0 — a revision of TEST 1
    TEST 2-2564 (2021-02-10)  announces a package of two document types — new, counted once
    """
    from validator.announcements import Announcement, Register

    def row(ident, number, kind, announced="", year=None):
        return Announcement(id=ident, series="TEST", number=number, title_th="ทดสอบ", title_en="Test", issuer="TEST",
                            kind=kind, source="tests", year_be=year or int(announced[:4]) + 543, announced=announced)

    register = Register([
        row("t1", "1-2561", "data-structure", "2018-03-01"),
        row("t4", "4-2563", "guideline", "2020-09"),
        row("t7", "7-2564", "data-structure", year=2564),
        row("t2", "2-2564", "data-structure", "2021-02-10"),
    ])
    permit = permit_catalog.standard("th.test.permit")
    v1 = dataclasses.replace(permit.version("1.0.0"), announcement="TEST 1-2561", illustrative=False)
    v2 = dataclasses.replace(permit.version("1.1.0"), announcement="t7", illustrative=False, announced=None)
    real = dataclasses.replace(permit, illustrative=False, versions=(v1, v2))
    types = [
        dataclasses.replace(permit, id=f"th.test.pkg.{key}", package="th.test.pkg", illustrative=False,
                            versions=(dataclasses.replace(v1, standard_id=f"th.test.pkg.{key}", announcement="TEST 2-2564"),))
        for key in ("a", "b")
    ]
    made_up = dataclasses.replace(permit, id="th.test.madeup", versions=tuple(
        dataclasses.replace(v, standard_id="th.test.madeup") for v in permit.versions))
    return Catalog([real, *types, made_up], register)


@pytest.mark.parametrize(
    ("period", "labels"),
    [
        (Period(2018), ["TEST 1-2561"]),
        (Period(2020), []),  # the guideline does not count by default
        (Period(2021), ["TEST 2-2564", "TEST 7-2564"]),  # the package once; the revision known only by its year
        (Period.of(2564, fiscal=True), ["TEST 2-2564", "TEST 7-2564"]),  # Oct 2020 – Sep 2021; year-only in the FY ending in it
        (Period.of(2562, fiscal=True), []),
    ],
)
def test_indicator15_counts_announcements_once(fixture_catalog, period, labels):
    found = indicators.indicator15(_register_catalog(fixture_catalog), period, IndicatorConfig())
    assert sorted(a.label for a in found.announcements) == labels
    assert found.headline == len(labels)


def test_indicator15_new_revision_precision_and_implementers(fixture_catalog):
    found = indicators.indicator15(_register_catalog(fixture_catalog), Period(2021), IndicatorConfig())
    by_label = {a.label: a for a in found.announcements}
    assert (found.new, found.revisions) == (1, 1)
    assert by_label["TEST 7-2564"].count_as == "revision" and by_label["TEST 7-2564"].precision == "year"
    assert by_label["TEST 2-2564"].standards == ("th.test.pkg",) and by_label["TEST 2-2564"].count_as == "new"
    assert "data structures" in found.rule


def test_indicator15_rule_is_configurable(fixture_catalog):
    catalog = _register_catalog(fixture_catalog)
    guidelines = IndicatorConfig(kinds_15=("data-structure", "guideline"))
    assert [a.label for a in indicators.indicator15(catalog, Period(2020), guidelines).announcements] == ["TEST 4-2563"]
    # a month-only date counts by its first day: September 2020 is fiscal year 2563
    assert indicators.indicator15(catalog, Period.of(2563, fiscal=True), guidelines).headline == 1
    with_made_up = IndicatorConfig(include_illustrative_15=True)
    found = indicators.indicator15(catalog, Period(2018), with_made_up)
    assert [(a.label, a.illustrative) for a in found.announcements] == [
        ("TEST 1-2561", False), ("th.test.madeup@1.0.0 (ตัวอย่าง · illustrative)", True)]
    assert "illustrative" in with_made_up.rule_15


def test_indicator15_config_file(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[indicator15]\nkinds = ["data-structure", "guideline"]\ninclude_illustrative = true\n', encoding="utf-8")
    config = IndicatorConfig.load(path)
    assert config.kinds_15 == ("data-structure", "guideline") and config.include_illustrative_15
    path.write_text('[indicator15]\nkinds = ["law"]\n', encoding="utf-8")
    with pytest.raises(ValueError, match="indicator15.kinds"):
        IndicatorConfig.load(path)


def test_a_version_known_by_its_announcement_stands_from_its_year(fixture_catalog):
    catalog = _register_catalog(fixture_catalog)
    v2 = catalog.standard("th.test.permit").version("1.1.0")
    assert catalog.announced_on(v2) == dt.date(2021, 1, 1)


def test_indicator15_target_is_the_plans_for_2560_to_2564():
    config = IndicatorConfig()
    assert [config.target_15(y) for y in (2016, 2017, 2021, 2022)] == [None, 10, 10, None]


# --------------------------------------------------------------------------- the API


def test_api_is_public_and_carries_definitions(client, registry):
    got = client.get("/api/v1/indicators", params={"year": 2564, "fiscal": False})
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["period"] == {"ce": 2021, "be": 2564, "calendar": "calendar", "start": "2021-01-01", "end": "2021-12-31",
                              "label_en": "year 2021 (BE 2564)", "label_th": "ปี พ.ศ. 2564 (ค.ศ. 2021)"}
    health = next(s for s in body["indicator16"]["sectors"] if s["sector"] == "health")
    assert (health["agencies"], health["declared"], health["observed"]) == (3, 2, 2)
    assert set(body["definitions"]) >= {"indicator15", "indicator16"} and body["definitions"]["indicator16"]["th"]
    assert body["provenance"]["checkpoint"]["size"] > 0 and body["provenance"]["as_of"]
    assert body["demo"] is False


def test_api_counts_fiscal_years_unless_asked_for_calendar_years(client, registry):
    fiscal = client.get("/api/v1/indicators", params={"year": 2564}).json()["period"]
    assert (fiscal["calendar"], fiscal["start"], fiscal["end"]) == ("fiscal", "2020-10-01", "2021-09-30")
    calendar = client.get("/api/v1/indicators", params={"year": 2564, "fiscal": False}).json()["period"]
    assert (calendar["calendar"], calendar["start"], calendar["end"]) == ("calendar", "2021-01-01", "2021-12-31")
    assert client.get("/api/v1/indicators/trend", params={"from": 2564, "to": 2564}).json()["years"][0]["period"]["calendar"] == "fiscal"


def test_api_csv_and_drill_down(client, registry):
    csv_text = client.get("/api/v1/indicators", params={"year": 2021, "format": "csv", "fiscal": False})
    assert csv_text.headers["content-type"].startswith("text/csv")
    assert "16,2021,2564,calendar,2021-01-01,2021-12-31,health,observed (headline),2,3,0.6667" in csv_text.text
    drill = client.get("/api/v1/indicators/sectors/finance", params={"year": 2021, "fiscal": False}).json()
    assert [(m["code"], m["declared"]) for m in drill["missing"]] == [("F2", True)]
    assert client.get("/api/v1/indicators/sectors/finance", params={"year": 2021, "format": "csv", "fiscal": False}).text.splitlines()[1].startswith("finance,F2,")
    assert client.get("/api/v1/indicators/sectors/statistics").json()["code"] == "not_a_key_sector"
    assert client.get("/api/v1/indicators", params={"year": 99999}).json()["code"] == "invalid_year"


def test_api_trend(client, registry, app):
    got = client.get("/api/v1/indicators/trend", params={"from": 2563, "to": 2022}).json()
    assert [y["period"]["ce"] for y in got["years"]] == [2020, 2021, 2022]
    # the app's fixture catalog is one illustrative standard: no announcement counts
    assert [y["indicator15"]["headline"] for y in got["years"]] == [0, 0, 0]
    app.state.indicator_config = IndicatorConfig(include_illustrative_15=True)  # counted on request, and marked
    got = client.get("/api/v1/indicators/trend", params={"from": 2563, "to": 2022}).json()
    assert [y["indicator15"]["headline"] for y in got["years"]] == [0, 1, 0]  # permit 1.1.0, announced 2021-01-15
    (counted,) = got["years"][1]["indicator15"]["announcements"]
    assert counted["illustrative"] is True and counted["count_as"] == "revision" and "illustrative" in got["years"][1]["indicator15"]["rule"]


def test_dashboard_page_and_its_static_files(client, registry):
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert '<script src="/static/echarts.min.js">' in page.text and "ตัวชี้วัด" in page.text
    assert "DEMO DATA" not in page.text  # no demo banner on real data
    assert client.get("/static/echarts.min.js").status_code == 200
    assert client.get("/static/echarts-LICENSE.txt").status_code == 200


def test_indicator15_from_the_real_register_counts_khmtho_3_2560_once(bundled_catalog, database):
    """BE 2560: ETDA's e-Tax package (six document types, one announcement) counts once; guidelines on request."""
    from registry.reporting.render import report_table

    found = indicators.indicator15(bundled_catalog, Period.of(2560), IndicatorConfig())
    assert [(a.label, a.count_as, a.precision) for a in found.announcements] == [("ขมธอ. 3-2560", "new", "year")]
    assert found.announcements[0].standards == ("th.etda.e-tax-invoice-receipt",) and found.target == 10
    with_guidelines = indicators.indicator15(bundled_catalog, Period.of(2560), IndicatorConfig(kinds_15=("data-structure", "guideline")))
    assert sorted(a.label for a in with_guidelines.announcements) == [
        "ขมธอ. 11-2560", "ขมธอ. 3-2560", "สรอ. (EGA, no series code) Government Website Standard v2.0"]
    revised = indicators.indicator15(bundled_catalog, Period.of(2568), IndicatorConfig())
    assert [(a.label, a.count_as) for a in revised.announcements] == [("ขมธอ. 3-2568", "revision")]
    with database.transaction(write=False) as s:
        text = report_table(indicators.report(s, catalog=bundled_catalog, period=Period.of(2560), config=IndicatorConfig()))
    assert "Indicator 15 — standards announced: 1 (new 1, revisions 0) · target 10, not met" in text
    assert "ขมธอ. 3-2560" in text and "สพธอ. (ETDA)" in text and "[year only]" in text and "lower bound" in text
