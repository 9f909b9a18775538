"""Indicators 15 and 16 against answers computed by hand on a small registry (SQLite and PostgreSQL).

The registry (th.test.permit 1.0.0 was announced 2018-03-01, deprecated 2021-01-15 with
its sunset on 2021-12-31; 1.1.0 announced 2021-01-15). Every party is a ministry or
department registered on 2015-01-01 unless said otherwise:

    health:   H1, H2, H3 (dissolved 2021-07-01), H4 (no links), H5 (registered 2022-03-01),
              HU1 and HU2 (hospitals: units whose parent is H1)
    finance:  F1, F2, F3; S1 (moves to health from 2022-01-01)
    private:  P1 (a private juristic person, finance)

    link                 version  dates                       events (reported by, window start)
    L1  H1 → F1          1.0.0    from 2019-01-01             H1 at 2021-01-01 00:30 Bangkok (2020-12-31T17:30Z)
    L2  F2 → H2          1.0.0    from 2020-06-01             F2 on 2021-03-01: deprecated, before its sunset
    L3  H2 → H1          1.1.0    2021-02-01 to 2021-06-30    H2 on 2021-05-01
    L4  F3 → H3          1.1.0    from 2021-03-01             F3 on 2021-04-01
    L5  HU1 → HU2        1.1.0    from 2021-03-01             HU1 on 2021-04-01
    L6  P1 → F1          1.1.0    from 2021-03-01             F1 on 2021-04-02 (government–business)
    L7  S1 → F2          1.1.0    from 2021-03-01             S1 on 2021-04-01 and on 2022-04-01

By hand, 2021 (one unit per agency):
- health: H1, H2, H3, H4, HU1, HU2 = 6 (H5 is registered after the year; H3 existed half
  of it; S1 is still finance); declared H1, H2, H3, HU1, HU2 = 5; observed by their own
  reports H1 (L1), H2 (L3), HU1 (L5) = 3 — H3 and HU2 only received.
- finance: F1, F2, F3, S1 = 4 (P1 is private: out); declared 4; observed F2 (L2 counts
  until the sunset), F3, S1 = 3 — F1 reported nothing on L1, its partner did.
  Government–business: F1 declared and observed over L6 (1, 1); one private party.
2022: H3 is gone, H5 and S1 have joined health, 1.0.0 is past its sunset (L1, L2 out),
L3 has ended, L4's other party no longer exists:
- health: H1, H2, H4, H5, HU1, HU2, S1 = 7; declared HU1, HU2, S1 = 3; observed S1 = 1.
- finance: F1, F2, F3 = 3; declared F2 (L7) = 1; observed 0; G2B F1 declared, not observed.
Rolled up to top-level units (HU1, HU2 into H1), 2021 health: H1, H2, H3, H4 = 4; declared 3; observed 2.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from dxs.registry.demo import catalog_as_of
from dxs.registry.reporting import indicators, publishing
from dxs.registry.reporting.config import IndicatorConfig
from dxs.registry.reporting.periods import Period
from dxs.registry.api_models import AgencyCreate, AgencyUpdate, EventBatch, EventRecord, LinkCreate
from dxs.registry.errors import Conflict, Invalid
from dxs.registry.services import agencies, events, links
from dxs.registry.services.callers import Caller
from dxs.validator import Catalog

CONFIG = IndicatorConfig(key_sectors=("health", "finance"))
UTC = dt.UTC
OPERATOR = Caller.system("test")
LONG_AGO = dt.date(2015, 1, 1)
P1_ID = "0999990000010"  # illustrative: passes the check digit


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


def _at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=3, tzinfo=UTC)


@pytest.fixture
def registry(database, catalog):
    """The registry of the module docstring."""
    with database.write() as tx:
        ids = {}
        parties = (
            ("H1", "health", {}), ("H2", "health", {}), ("H3", "health", {}), ("H4", "health", {}),
            ("H5", "health", {"registered_on": dt.date(2022, 3, 1)}),
            ("HU1", "health", {"parent": "H1"}), ("HU2", "health", {"parent": "H1"}),
            ("F1", "finance", {}), ("F2", "finance", {}), ("F3", "finance", {}), ("S1", "finance", {}),
            ("P1", "finance", {"kind": "private-juristic-person", "juristic_id": P1_ID}),
        )
        for code, sector, extra in parties:
            data = {"kind": "ministry-department", "registered_on": LONG_AGO, **extra}
            ids[code] = agencies.create(tx=tx, caller=OPERATOR, data=AgencyCreate(
                code=code, name_th=f"หน่วยงาน {code}", name_en=f"Agency {code}", sector=sector, **data)).id

        def link(provider: str, consumer: str, version: str, start: str, end: str | None, reports: list[tuple[str, dt.datetime]]) -> None:
            made = links.declare(
                tx=tx, caller=Caller(role="agency", agency_id=ids[provider], agency_code=provider),
                catalog=catalog_as_of(catalog, dt.date.fromisoformat(start)),
                data=LinkCreate(provider=provider, consumer=consumer, standard="th.test.permit", version=version, purpose="test",
                                start_date=dt.date.fromisoformat(start), end_date=dt.date.fromisoformat(end) if end else None))
            for n, (reporter, when) in enumerate(reports):
                events.ingest(tx=tx, caller=Caller(role="agency", agency_id=ids[reporter], agency_code=reporter),
                              link_id=made.id, batch=EventBatch(records=[_event(when, n)]))

        link("H1", "F1", "1.0.0", "2019-01-01", None, [("H1", dt.datetime(2020, 12, 31, 17, 30, tzinfo=UTC))])
        link("F2", "H2", "1.0.0", "2020-06-01", None, [("F2", _at("2021-03-01"))])
        link("H2", "H1", "1.1.0", "2021-02-01", "2021-06-30", [("H2", _at("2021-05-01"))])
        link("F3", "H3", "1.1.0", "2021-03-01", None, [("F3", _at("2021-04-01"))])
        link("HU1", "HU2", "1.1.0", "2021-03-01", None, [("HU1", _at("2021-04-01"))])
        link("P1", "F1", "1.1.0", "2021-03-01", None, [("F1", _at("2021-04-02"))])
        link("S1", "F2", "1.1.0", "2021-03-01", None, [("S1", _at("2021-04-01")), ("S1", _at("2022-04-01"))])
        agencies.update(tx=tx, caller=OPERATOR, code="H3", data=AgencyUpdate(dissolved_on=dt.date(2021, 7, 1)))
        agencies.update(tx=tx, caller=OPERATOR, code="S1", data=AgencyUpdate(sector="health", sector_since=dt.date(2022, 1, 1)))
    return database


def _report(database, catalog, period: Period, config: IndicatorConfig = CONFIG) -> indicators.IndicatorReport:
    with database.transaction(write=False) as s:
        return indicators.report(s, catalog=catalog, period=period, config=config)


def _figures(database, catalog, period: Period, config: IndicatorConfig = CONFIG) -> dict[str, tuple[int, int, int]]:
    return {f.sector: f.counts for f in _report(database, catalog, period, config).indicator16.sectors}


# --------------------------------------------------------------------------- indicator 16


def test_indicator16_in_2021_by_hand(registry, catalog):
    assert _figures(registry, catalog, Period(2021)) == {"health": (6, 5, 3), "finance": (4, 4, 3)}


def test_indicator16_in_2022_as_things_stood_then(registry, catalog):
    # H3 dissolved in 2021, H5 registered in 2022, S1 moved to health on 1 January 2022
    assert _figures(registry, catalog, Period(2022)) == {"health": (7, 3, 1), "finance": (3, 1, 0)}


def test_a_party_registered_after_the_year_is_not_in_its_denominator(registry, catalog):
    assert _figures(registry, catalog, Period(2020))["health"][0] == 6  # H5 (2022) is not there
    assert _figures(registry, catalog, Period(2023))["health"][0] == 7  # H3 is gone, H5 and S1 are in


def test_a_sector_change_moves_the_party_from_the_year_it_applies(registry, catalog):
    with registry.transaction(write=False) as s:
        y2021 = indicators.drill_down(s, catalog=catalog, period=Period(2021), config=CONFIG, sector="finance")
        y2022 = indicators.drill_down(s, catalog=catalog, period=Period(2022), config=CONFIG, sector="health")
    assert y2021.figure.counts == (4, 4, 3) and "S1" not in [m.code for m in y2021.missing]  # observed, in finance
    assert y2022.figure.counts == (7, 3, 1) and "S1" not in [m.code for m in y2022.missing]  # observed, in health


def test_observed_needs_the_partys_own_reports(registry, catalog):
    with registry.transaction(write=False) as s:
        health = indicators.drill_down(s, catalog=catalog, period=Period(2021), config=CONFIG, sector="health")
        finance = indicators.drill_down(s, catalog=catalog, period=Period(2021), config=CONFIG, sector="finance")
    # H3 and HU2 only received over their links; H4 has none; F1's partner reported L1, F1 did not
    assert [(m.code, m.declared) for m in health.missing] == [("H3", True), ("H4", False), ("HU2", True)]
    assert [(m.code, m.declared) for m in finance.missing] == [("F1", True)]


def test_a_private_party_is_out_of_the_denominator_and_in_the_g2b_figure(registry, catalog):
    found = _report(registry, catalog, Period(2021)).indicator16
    finance = found.sector("finance")
    assert finance.counts == (4, 4, 3) and (finance.g2b_declared, finance.g2b_observed) == (1, 1)
    assert found.private_parties == 1
    assert (found.sector("health").g2b_declared, found.sector("health").g2b_observed) == (0, 0)
    y2022 = _report(registry, catalog, Period(2022)).indicator16.sector("finance")
    assert (y2022.g2b_declared, y2022.g2b_observed) == (1, 0)


def test_national_line_sums_the_key_sectors(registry, catalog):
    national = _report(registry, catalog, Period(2021)).indicator16.national
    assert national.counts == (10, 9, 6) and national.observed_rate == pytest.approx(0.6)
    assert national.standards == ("th.test.permit",)


def test_units_rolled_up_to_their_top_level_party(registry, catalog, tmp_path):
    path = tmp_path / "units.toml"
    path.write_text('[indicator16]\nkey_sectors = ["health", "finance"]\nunit = "top-level"\n', encoding="utf-8")
    rolled = IndicatorConfig.load(path)
    assert _figures(registry, catalog, Period(2021), rolled) == {"health": (4, 3, 2), "finance": (4, 4, 3)}
    assert "top-level" in rolled.rule_16


def test_a_deprecated_version_counts_until_its_sunset(registry, catalog):
    # L2 (1.0.0, deprecated 2021-01-15, sunset 2021-12-31) counts in 2021; in 2022 it is past its sunset
    with registry.transaction(write=False) as s:
        finance = indicators.drill_down(s, catalog=catalog, period=Period(2021), config=CONFIG, sector="finance")
    assert "F2" not in [m.code for m in finance.missing]
    permit = catalog.standard("th.test.permit").version("1.0.0")
    assert indicators.counts_until(permit) == dt.date(2022, 1, 1)
    # a configured grace period of 30 days ends it on 14 February 2021, before L2's event
    grace = dataclasses.replace(CONFIG, deprecated_grace_days=30)
    assert indicators.counts_until(permit, 30) == dt.date(2021, 2, 14)
    assert _figures(registry, catalog, Period(2021), grace) == {"health": (6, 5, 3), "finance": (4, 4, 2)}


def test_year_boundary_is_bangkok_midnight(registry, catalog):
    # L1's only event starts 2021-01-01 00:30 in Bangkok (still 2020 in UTC): it counts for 2021, not 2020
    assert _figures(registry, catalog, Period(2020)) == {"health": (6, 2, 0), "finance": (4, 2, 0)}


def test_a_be_year_is_the_same_year(registry, catalog):
    assert _figures(registry, catalog, Period.of(2564)) == _figures(registry, catalog, Period(2021))


def test_fiscal_year_2564(registry, catalog):
    # 1 October 2020 – 30 September 2021: every event of 2021 falls in it; the parties are those of 2021
    assert _figures(registry, catalog, Period.of(2564, fiscal=True)) == {"health": (6, 5, 3), "finance": (4, 4, 3)}


def test_fiscal_year_boundary_is_30_september_to_1_october_in_bangkok(registry, catalog):
    # L8: H4 → F3 on th.test.licence 1.0.0; H4 reports a window at 23:30 on 30 September 2021 (Bangkok),
    # F3 one at 00:30 on 1 October 2021: the first is fiscal 2564, the second fiscal 2565
    with registry.write() as tx:
        ids = {code: agencies.get(tx.session, code).id for code in ("H4", "F3")}
        made = links.declare(tx=tx, caller=Caller(role="agency", agency_id=ids["H4"], agency_code="H4"), catalog=catalog,
                             data=LinkCreate(provider="H4", consumer="F3", standard="th.test.licence", version="1.0.0",
                                             purpose="test", start_date=dt.date(2021, 1, 1)))
        for n, (who, when) in enumerate((("H4", dt.datetime(2021, 9, 30, 16, 30, tzinfo=UTC)), ("F3", dt.datetime(2021, 9, 30, 17, 30, tzinfo=UTC)))):
            events.ingest(tx=tx, caller=Caller(role="agency", agency_id=ids[who], agency_code=who), link_id=made.id,
                          batch=EventBatch(records=[_event(when, n)]))

    def missing(year: int, sector: str) -> list[str]:
        with registry.transaction(write=False) as s:
            found = indicators.drill_down(s, catalog=catalog, period=Period.of(year, fiscal=True), config=CONFIG, sector=sector)
        return [m.code for m in found.missing]

    assert "H4" not in missing(2564, "health") and "H4" in missing(2565, "health")
    assert "F3" not in missing(2565, "finance")  # F3's only 2565 report is the one of 1 October, 00:30


def test_rates_and_targets(registry, catalog):
    found = _report(registry, catalog, Period(2021))
    finance = found.indicator16.sector("finance")
    assert finance.observed_rate == pytest.approx(3 / 4) and finance.declared_rate == 1.0
    assert finance.target == 0.8 and finance.met is False
    assert found.provenance.log_size > 0 and found.provenance.log_root


def test_events_after_the_checkpoint_are_not_counted(registry, catalog):
    with registry.transaction(write=False) as s:
        prov = indicators.provenance(s)
        early = indicators.indicator16(s, catalog, Period(2021), CONFIG, log_size=prov.log_size - 13)
    # the last 13 entries are L3's declaration and later (events, two agency changes): only H1 and F2 had reported
    assert [(f.sector, f.observed) for f in early.sectors] == [("health", 1), ("finance", 1)]


def test_an_empty_registry_reports_zero_agencies(database, catalog):
    assert _figures(database, catalog, Period(2021)) == {"health": (0, 0, 0), "finance": (0, 0, 0)}


def test_indicator16_config_file_refuses_bad_settings(tmp_path):
    path = tmp_path / "c.toml"
    for text, message in (('unit = "hospital"', "indicator16.unit"), ("deprecated_grace_days = -1", "deprecated_grace_days"),
                          ('key_sectors = ["Finanse"]', "unknown sector 'Finanse'")):
        path.write_text(f"[indicator16]\n{text}\n", encoding="utf-8")
        with pytest.raises(ValueError, match=message):
            IndicatorConfig.load(path)


# --------------------------------------------------------------------------- publishing


def test_a_published_year_keeps_its_figures_and_shows_the_revision_beside_them(registry, catalog):
    with registry.write() as tx:
        published = publishing.publish(tx=tx, caller=OPERATOR, report=_report(registry, catalog, Period(2021)))
    assert published.sectors["health"] == (6, 5, 3) and published.sectors["national"] == (10, 9, 6)
    again = _report(registry, catalog, Period(2021))
    assert again.published is not None and again.published.seq == published.seq and not again.revised
    # an agency that existed all along is registered late: the 2021 health denominator moves
    with registry.write() as tx:
        agencies.create(tx=tx, caller=OPERATOR, data=AgencyCreate(
            code="H6", name_th="หน่วยงาน H6", name_en="Agency H6", sector="health", kind="ministry-department", registered_on=LONG_AGO))
    later = _report(registry, catalog, Period(2021))
    assert later.revised and later.published is not None
    assert later.published.sectors["health"] == (6, 5, 3) and later.indicator16.sector("health").counts == (7, 5, 3)
    from dxs.registry.reporting.render import report_table

    text = report_table(later)
    assert "published" in text.lower() and "revised" in text.lower()


def test_publishing_twice_is_refused_unless_replacing_and_the_year_must_have_ended(registry, catalog):
    report = _report(registry, catalog, Period(2021))
    with registry.write() as tx:
        first = publishing.publish(tx=tx, caller=OPERATOR, report=report)
    with pytest.raises(Conflict, match="was published on"), registry.write() as tx:
        publishing.publish(tx=tx, caller=OPERATOR, report=report)
    with registry.write() as tx:
        second = publishing.publish(tx=tx, caller=OPERATOR, report=report, replace=True)
    assert second.seq > first.seq and second.document["period"]["ce"] == 2021
    with pytest.raises(Invalid, match="once it has ended"), registry.write() as tx:
        publishing.publish(tx=tx, caller=OPERATOR, report=report, today=dt.date(2021, 12, 31))
    agency = Caller(role="agency", agency_id=1, agency_code="H1")
    with pytest.raises(Exception, match="office"), registry.write() as tx:
        publishing.publish(tx=tx, caller=agency, report=report)


# --------------------------------------------------------------------------- indicator 15


def _register_catalog(permit_catalog: Catalog) -> Catalog:
    """Announcements by hand: a standard announced twice, a package counted once, a guideline, a year-only row.

    TEST 1-2561 (2018-03-01)  announces th.test.permit 1.0.0 — new
    TEST 4-2563 (2020-09)     a guideline (month only)
    TEST 7-2564 (year only)   announces th.test.permit 1.1.0 — a revision of TEST 1
    TEST 2-2564 (2021-02-10)  announces a package of two document types — new, counted once
    """
    from dxs.validator.announcements import Announcement, Register

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


def test_indicator15_counts_a_revision_only_when_it_was_itself_announced(fixture_catalog):
    """th.test.permit 1.2.0 is in the catalog, dated 2022-05-01, but names no announcement: it never counts."""
    catalog = _register_catalog(fixture_catalog)
    permit = catalog.standard("th.test.permit")
    unannounced = dataclasses.replace(permit.version("1.1.0"), version="1.2.0", announcement=None, announced=dt.date(2022, 5, 1))
    catalog = Catalog([dataclasses.replace(permit, versions=(*permit.versions, unannounced)),
                       *(s for s in catalog if s.id != "th.test.permit")], catalog.register)
    assert indicators.indicator15(catalog, Period(2022), IndicatorConfig()).headline == 0
    found = indicators.indicator15(catalog, Period(2021), IndicatorConfig())
    assert [(a.label, a.count_as) for a in found.announcements if a.label == "TEST 7-2564"] == [("TEST 7-2564", "revision")]


def test_indicator15_fiscal_boundary(fixture_catalog):
    """An announcement of 30 September 2020 is fiscal 2563; one of 1 October 2020 is fiscal 2564."""
    from dxs.validator.announcements import Announcement, Register

    def row(ident: str, number: str, day: str) -> Announcement:
        return Announcement(id=ident, series="TEST", number=number, title_th="ทดสอบ", title_en="Test", issuer="TEST",
                            kind="data-structure", source="tests", year_be=int(day[:4]) + 543, announced=day)

    catalog = Catalog(list(fixture_catalog), Register([row("a", "8-2563", "2020-09-30"), row("b", "9-2563", "2020-10-01")]))
    labels = lambda year: [a.label for a in indicators.indicator15(catalog, Period.of(year, fiscal=True), IndicatorConfig()).announcements]  # noqa: E731
    assert labels(2563) == ["TEST 8-2563"] and labels(2564) == ["TEST 9-2563"]
    assert sorted(a.label for a in indicators.indicator15(catalog, Period(2020), IndicatorConfig()).announcements) == ["TEST 8-2563", "TEST 9-2563"]


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
    assert (health["agencies"], health["declared"], health["observed"]) == (6, 5, 3)
    assert body["indicator16"]["national"]["agencies"] == 10 and body["indicator16"]["private_parties"] == 1
    assert body["published"] is None and body["revised"] is False
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
    assert "16,2021,2564,calendar,2021-01-01,2021-12-31,health,observed (headline),3,6,0.5" in csv_text.text
    drill = client.get("/api/v1/indicators/sectors/finance", params={"year": 2021, "fiscal": False}).json()
    assert [(m["code"], m["declared"]) for m in drill["missing"]] == [("F1", True)]
    assert client.get("/api/v1/indicators/sectors/finance", params={"year": 2021, "format": "csv", "fiscal": False}).text.splitlines()[1].startswith("finance,F1,")
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
    from dxs.registry.reporting.render import report_table

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


def test_api_publishes_for_the_office_only_and_shows_published_beside_revised(client, registry, world):

    body = {"year": 2564, "fiscal": False}
    assert client.post("/api/v1/indicators/publications", json=body).status_code == 401
    assert client.post("/api/v1/indicators/publications", json=body, headers=world.rd).status_code == 403
    assert client.post("/api/v1/indicators/publications", json={"year": 2070}, headers=world.office).json()["code"] == "period_not_ended"
    made = client.post("/api/v1/indicators/publications", json=body, headers=world.office)
    assert made.status_code == 201, made.text
    published = made.json()["published"]
    assert published["sectors"]["health"] == {"agencies": 6, "declared": 5, "observed": 3} and published["log_entry"] > 0
    again = client.post("/api/v1/indicators/publications", json=body, headers=world.office)
    assert again.status_code == 409 and again.json()["code"] == "already_published"
    # the log holds the publication, with its definitions and configuration
    entry = client.get("/api/v1/log/entries", params={"kind": "indicators.published"}, headers=world.office).json()
    payloads = [e["payload"] for e in entry["items"] if e["kind"] == "indicators.published"]
    assert payloads and set(payloads[-1]["report"]) >= {"indicator15", "indicator16", "definitions", "config", "provenance"}
    # a late registration revises the year; the published figures stand beside the revised ones
    created = client.post("/api/v1/agencies", headers=world.office, json={
        "code": "H6", "name_th": "หน่วยงาน H6", "name_en": "Agency H6", "sector": "health",
        "kind": "ministry-department", "registered_on": "2015-01-01"})
    assert created.status_code == 201, created.text
    year = client.get("/api/v1/indicators", params=body).json()
    assert year["revised"] is True and year["published"]["sectors"]["health"]["agencies"] == 6
    assert next(s for s in year["indicator16"]["sectors"] if s["sector"] == "health")["agencies"] == 7
    listed = client.get("/api/v1/indicators/publications").json()
    assert [p["log_entry"] for p in listed] == [published["log_entry"]]
    trend = client.get("/api/v1/indicators/trend", params={"from": 2564, "to": 2565, "fiscal": False}).json()["years"]
    assert [(y["published"] is not None, y["revised"]) for y in trend] == [(True, True), (False, False)]
