"""``dxs demo seed``: a realistic, reproducible country in an empty registry.

About 170 agencies in the catalog's ten sectors (ministries, departments, provincial
offices, state enterprises, public organisations, hospitals, universities), each of its
party kind and registered on 1 October 2016 — except three registered in 2023, two
provincial units dissolved in 2022 and one office that moved sector in 2021 — and six
made-up private companies (juristic IDs starting 099999…) that exchange e-tax documents
and juristic-person data with RD and DBD (government–business), 500+ exchange links over the
catalog's announced versions — each declared no earlier than its version's
announcement, and moved to the next version when the old one is deprecated, mostly
in time and sometimes late — and 100,000+ event records over 2017–2025. Adoption grows
year by year at a pace of each sector's own, so that indicator 16 reaches the 80%
target in some sectors and not in others.

Everything goes through the registry's own services (agencies, links, events), so the
tamper-evident log records every row and ``dxs registry verify`` passes; event records
go in one batch per link and side. A final ``demo.seeded`` log entry marks the registry
as holding demo data (the portal shows a banner). The same ``seed`` gives the same
agencies, links and events.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from dxs.validator import Catalog, Standard, StandardVersion

from .db import Database
from dxs.validator.formats import thai_id_check_digit

from .errors import Conflict
from .models import Agency
from .parties import PRIVATE_JURISTIC_PERSON
from .reporting.indicators import DEMO_KIND
from .api_models import MAX_BATCH, AgencyCreate, AgencyUpdate, EventBatch, EventRecord, LinkCreate, LinkUpdate
from .services import agencies, events, links, log
from .services.callers import Caller
from .times import local_midnight_utc
from .unit_of_work import WriteTx

__all__ = ["DEFAULT_SEED", "DemoSummary", "Seeded", "catalog_as_of", "is_empty", "seed", "seed_registry"]

DEFAULT_SEED = 2560
FIRST_DAY = dt.date(2017, 1, 1)
LAST_DAY = dt.date(2025, 12, 31)
SEEDER = Caller.system("demo")
UTC = dt.UTC
#: The first day of every demo party unless said otherwise: the start of fiscal year 2017 (BE 2560).
REGISTERED_ON = dt.date(2016, 10, 1)

PROVINCES = (
    ("CMI", "เชียงใหม่", "Chiang Mai"), ("KKN", "ขอนแก่น", "Khon Kaen"), ("NMA", "นครราชสีมา", "Nakhon Ratchasima"),
    ("SKA", "สงขลา", "Songkhla"), ("PKT", "ภูเก็ต", "Phuket"), ("UBN", "อุบลราชธานี", "Ubon Ratchathani"),
    ("PLK", "พิษณุโลก", "Phitsanulok"), ("CBI", "ชลบุรี", "Chon Buri"), ("SNI", "สุราษฎร์ธานี", "Surat Thani"),
    ("UDN", "อุดรธานี", "Udon Thani"), ("NRT", "นครศรีธรรมราช", "Nakhon Si Thammarat"), ("CRI", "เชียงราย", "Chiang Rai"),
)


@dataclass(frozen=True)
class SectorPlan:
    """How a sector is populated and how fast it takes up common standards."""

    central: tuple[tuple[str, str, str], ...]  # (code, Thai, English); the first ones are hubs
    local: tuple[str, str, str]  # code prefix, Thai and English name patterns for provincial units
    provinces: int
    standards: tuple[str, ...]  # what its agencies exchange
    adoption: float  # share of agencies that ever take part
    midpoint: float  # the year by which half of those have
    hubs: int = 2
    local_kind: str = "local-administration"  # the party kind of its provincial units


#: Sector code (:data:`validator.sectors.SECTORS`) → how the demo populates it.
SECTOR_PLANS: dict[str, SectorPlan] = {
    "public-administration": SectorPlan(
        (("DOPA", "กรมการปกครอง", "Department of Provincial Administration"),
         ("DGA", "สำนักงานพัฒนารัฐบาลดิจิทัล (องค์การมหาชน)", "Digital Government Development Agency"),
         ("OPM", "สำนักงานปลัดสำนักนายกรัฐมนตรี", "Office of the Permanent Secretary, Prime Minister's Office"),
         ("OCSC", "สำนักงานคณะกรรมการข้าราชการพลเรือน", "Office of the Civil Service Commission"),
         ("DLA", "กรมส่งเสริมการปกครองท้องถิ่น", "Department of Local Administration"),
         ("OPS-MOI", "สำนักงานปลัดกระทรวงมหาดไทย", "Office of the Permanent Secretary, Ministry of Interior")),
        ("PAO", "องค์การบริหารส่วนจังหวัด{th}", "{en} Provincial Administrative Organisation"), 12,
        ("th.dga.e-saraban", "th.dopa.citizen-profile", "th.dopa.thai-address"), 0.97, 2019.6, hubs=2),
    "finance": SectorPlan(
        (("RD", "กรมสรรพากร", "Revenue Department"), ("CGD", "กรมบัญชีกลาง", "Comptroller General's Department"),
         ("CUSTOMS", "กรมศุลกากร", "Customs Department"), ("EXCISE", "กรมสรรพสามิต", "Excise Department"),
         ("TRD", "กรมธนารักษ์", "Treasury Department"), ("BOT", "ธนาคารแห่งประเทศไทย", "Bank of Thailand"),
         ("GSB", "ธนาคารออมสิน", "Government Savings Bank"), ("KTB", "ธนาคารกรุงไทย จำกัด (มหาชน)", "Krungthai Bank"),
         ("BAAC", "ธนาคารเพื่อการเกษตรและสหกรณ์การเกษตร", "Bank for Agriculture and Agricultural Co-operatives"),
         ("FPO", "สำนักงานเศรษฐกิจการคลัง", "Fiscal Policy Office")),
        ("RD", "สำนักงานสรรพากรพื้นที่{th}", "{en} Area Revenue Office"), 8,
        ("th.etda.e-tax-invoice-receipt.tax-invoice", "th.etda.e-tax-invoice-receipt.receipt", "th.bot.payment-notification"), 0.95, 2019.4, hubs=2),
    "commerce": SectorPlan(
        (("DBD", "กรมพัฒนาธุรกิจการค้า", "Department of Business Development"),
         ("DIT", "กรมการค้าภายใน", "Department of Internal Trade"), ("DFT", "กรมการค้าต่างประเทศ", "Department of Foreign Trade"),
         ("DIP", "กรมทรัพย์สินทางปัญญา", "Department of Intellectual Property"),
         ("DIW", "กรมโรงงานอุตสาหกรรม", "Department of Industrial Works"), ("TISI", "สำนักงานมาตรฐานผลิตภัณฑ์อุตสาหกรรม", "Thai Industrial Standards Institute"),
         ("BOI", "สำนักงานคณะกรรมการส่งเสริมการลงทุน", "Office of the Board of Investment"),
         ("OSMEP", "สำนักงานส่งเสริมวิสาหกิจขนาดกลางและขนาดย่อม", "Office of SMEs Promotion")),
        ("PCO", "สำนักงานพาณิชย์จังหวัด{th}", "{en} Provincial Commerce Office"), 9,
        ("th.dbd.juristic-person", "th.dga.business-licence-application", "th.etda.e-tax-invoice-receipt.invoice"), 0.86, 2021.0),
    "health": SectorPlan(
        (("OPS-MOPH", "สำนักงานปลัดกระทรวงสาธารณสุข", "Office of the Permanent Secretary, Ministry of Public Health"),
         ("NHSO", "สำนักงานหลักประกันสุขภาพแห่งชาติ", "National Health Security Office"),
         ("DMS", "กรมการแพทย์", "Department of Medical Services"), ("DDC", "กรมควบคุมโรค", "Department of Disease Control"),
         ("FDA", "สำนักงานคณะกรรมการอาหารและยา", "Food and Drug Administration"), ("DOH", "กรมอนามัย", "Department of Health")),
        ("HOSP", "โรงพยาบาล{th}", "{en} Hospital"), 12,
        ("th.moph.patient-referral", "th.dopa.citizen-profile"), 0.93, 2021.3, local_kind="ministry-department"),
    "education": SectorPlan(
        (("OPS-MOE", "สำนักงานปลัดกระทรวงศึกษาธิการ", "Office of the Permanent Secretary, Ministry of Education"),
         ("OBEC", "สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน", "Office of the Basic Education Commission"),
         ("OVEC", "สำนักงานคณะกรรมการการอาชีวศึกษา", "Office of the Vocational Education Commission"),
         ("NIETS", "สถาบันทดสอบทางการศึกษาแห่งชาติ (องค์การมหาชน)", "National Institute of Educational Testing Service"),
         ("TCT", "คุรุสภา", "Teachers' Council of Thailand")),
        ("RU", "มหาวิทยาลัยราชภัฏ{th}", "{en} Rajabhat University"), 11,
        ("th.moe.education-certificate", "th.dopa.citizen-profile"), 0.74, 2021.8, local_kind="ministry-department"),
    "transport": SectorPlan(
        (("DLT", "กรมการขนส่งทางบก", "Department of Land Transport"), ("DOH-HW", "กรมทางหลวง", "Department of Highways"),
         ("MD", "กรมเจ้าท่า", "Marine Department"), ("CAAT", "สำนักงานการบินพลเรือนแห่งประเทศไทย", "Civil Aviation Authority of Thailand"),
         ("SRT", "การรถไฟแห่งประเทศไทย", "State Railway of Thailand"), ("AOT", "บริษัท ท่าอากาศยานไทย จำกัด (มหาชน)", "Airports of Thailand"),
         ("EXAT", "การทางพิเศษแห่งประเทศไทย", "Expressway Authority of Thailand")),
        ("PLTO", "สำนักงานขนส่งจังหวัด{th}", "{en} Provincial Land Transport Office"), 10,
        ("th.dlt.vehicle-registration", "th.etda.e-tax-invoice-receipt.receipt"), 0.78, 2021.7),
    "land": SectorPlan(
        (("DOL", "กรมที่ดิน", "Department of Lands"), ("DPT", "กรมโยธาธิการและผังเมือง", "Department of Public Works and Town & Country Planning"),
         ("ALRO", "สำนักงานการปฏิรูปที่ดินเพื่อเกษตรกรรม", "Agricultural Land Reform Office"),
         ("TRD-VAL", "สำนักประเมินราคาทรัพย์สิน กรมธนารักษ์", "Property Valuation Bureau, Treasury Department")),
        ("PLO", "สำนักงานที่ดินจังหวัด{th}", "{en} Provincial Land Office"), 12,
        ("th.dol.land-title", "th.dopa.thai-address"), 0.55, 2022.5),
    "social-welfare": SectorPlan(
        (("DSDW", "กรมพัฒนาสังคมและสวัสดิการ", "Department of Social Development and Welfare"),
         ("SSO", "สำนักงานประกันสังคม", "Social Security Office"), ("DOP", "กรมกิจการผู้สูงอายุ", "Department of Older Persons"),
         ("DEP", "กรมส่งเสริมและพัฒนาคุณภาพชีวิตคนพิการ", "Department of Empowerment of Persons with Disabilities"),
         ("DCY", "กรมกิจการเด็กและเยาวชน", "Department of Children and Youth"), ("NHA", "การเคหะแห่งชาติ", "National Housing Authority"),
         ("DOE", "กรมการจัดหางาน", "Department of Employment")),
        ("SDHS", "สำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์จังหวัด{th}", "{en} Provincial Office of Social Development and Human Security"), 10,
        ("th.dopa.citizen-profile", "th.bot.payment-notification"), 0.58, 2022.3),
    "agriculture": SectorPlan(
        (("OPS-MOAC", "สำนักงานปลัดกระทรวงเกษตรและสหกรณ์", "Office of the Permanent Secretary, Ministry of Agriculture and Cooperatives"),
         ("DOAE", "กรมส่งเสริมการเกษตร", "Department of Agricultural Extension"), ("DOA", "กรมวิชาการเกษตร", "Department of Agriculture"),
         ("DLD", "กรมปศุสัตว์", "Department of Livestock Development"), ("DOF", "กรมประมง", "Department of Fisheries"),
         ("RID", "กรมชลประทาน", "Royal Irrigation Department"), ("CPD", "กรมส่งเสริมสหกรณ์", "Cooperative Promotion Department"),
         ("LDD", "กรมพัฒนาที่ดิน", "Land Development Department"), ("RICE", "กรมการข้าว", "Rice Department")),
        ("PAGO", "สำนักงานเกษตรจังหวัด{th}", "{en} Provincial Agricultural Extension Office"), 9,
        ("th.dga.dataset-metadata", "th.dopa.thai-address", "th.bot.payment-notification"), 0.45, 2022.6),
    "statistics": SectorPlan(
        (("NSO", "สำนักงานสถิติแห่งชาติ", "National Statistical Office"),
         ("NESDC", "สำนักงานสภาพัฒนาการเศรษฐกิจและสังคมแห่งชาติ", "Office of the National Economic and Social Development Council"),
         ("OAE", "สำนักงานเศรษฐกิจการเกษตร", "Office of Agricultural Economics"),
         ("TPSO", "สำนักงานนโยบายและยุทธศาสตร์การค้า", "Trade Policy and Strategy Office")),
        ("PSO", "สำนักงานสถิติจังหวัด{th}", "{en} Provincial Statistical Office"), 10,
        ("th.dga.dataset-metadata",), 0.7, 2021.0),
}
#: Cross-sector partners: the agency that provides (or receives) each standard nationally.
NATIONAL_HUBS = {
    "th.dopa.citizen-profile": "DOPA", "th.dopa.thai-address": "DOPA", "th.etda.e-tax-invoice-receipt.tax-invoice": "RD",
    "th.etda.e-tax-invoice-receipt.receipt": "RD", "th.etda.e-tax-invoice-receipt.invoice": "RD", "th.bot.payment-notification": "CGD", "th.dbd.juristic-person": "DBD",
    "th.dga.dataset-metadata": "NSO", "th.dga.e-saraban": "DGA", "th.moph.patient-referral": "OPS-MOPH",
    "th.moe.education-certificate": "OBEC", "th.dlt.vehicle-registration": "DLT", "th.dol.land-title": "DOL",
    "th.dga.business-licence-application": "DGA",
}
#: Central agencies that are not ministries or departments (every other central agency is one).
CENTRAL_KINDS = {
    **dict.fromkeys(("GSB", "BAAC", "SRT", "EXAT", "NHA", "AOT", "KTB"), "state-enterprise"),
    **dict.fromkeys(("DGA", "NIETS"), "public-organisation"),
    "BOT": "independent-body",
}
#: Agencies the registry came to know later: they count only from their first day.
REGISTERED_LATER = {"DEP": dt.date(2023, 1, 16), "RICE": dt.date(2023, 4, 1), "TPSO": dt.date(2023, 10, 1)}
#: Provincial units dissolved (their first day no longer existing): the second unit of each of these sectors.
DISSOLVED = {"land": dt.date(2022, 7, 1), "agriculture": dt.date(2022, 10, 1)}
#: An agency that moved sector: (code, the sector it was registered in, the day it moved to its plan's sector).
SECTOR_MOVE = ("BOI", "finance", dt.date(2021, 10, 1))
#: Made-up private companies (never real ones): code, Thai and English names, sector, first day.
PRIVATE_PARTIES = (
    ("CO-TRADING", "บริษัท ตัวอย่างการค้า จำกัด", "Example Trading Co., Ltd.", "commerce", dt.date(2016, 10, 1)),
    ("CO-INDUSTRY", "บริษัท สมมติอุตสาหกรรม จำกัด", "Fictitious Industries Co., Ltd.", "commerce", dt.date(2016, 10, 1)),
    ("CO-LOGISTICS", "บริษัท ทดลองขนส่งสินค้า จำกัด", "Trial Logistics Co., Ltd.", "commerce", dt.date(2018, 4, 1)),
    ("CO-RETAIL", "บริษัท สาธิตค้าปลีก จำกัด (มหาชน)", "Demo Retail Public Co., Ltd.", "commerce", dt.date(2016, 10, 1)),
    ("CO-ACCOUNTS", "บริษัท ตัวอย่างบัญชีดิจิทัล จำกัด", "Example Digital Accounting Co., Ltd.", "finance", dt.date(2019, 1, 7)),
    ("CO-LEASING", "บริษัท สมมติลีสซิ่ง จำกัด", "Fictitious Leasing Co., Ltd.", "finance", dt.date(2016, 10, 1)),
)
#: What the private parties exchange, and with whom: standard → (the agency, whether the company provides).
PRIVATE_EXCHANGES = {
    "th.etda.e-tax-invoice-receipt.tax-invoice": ("RD", True),
    "th.etda.e-tax-invoice-receipt.receipt": ("RD", True),
    "th.dbd.juristic-person": ("DBD", False),
}


def illustrative_juristic_id(n: int) -> str:
    """A juristic person ID that passes the check digit and is plainly made up: ``099999`` then ``n``."""
    first = f"099999{n:06d}"
    return first + str(thai_id_check_digit(first))


PURPOSES = {
    "th.dopa.citizen-profile": ("ตรวจสอบข้อมูลทะเบียนราษฎร", "citizen registration lookup"),
    "th.dopa.thai-address": ("ข้อมูลที่อยู่มาตรฐาน", "standard addresses"),
    "th.etda.e-tax-invoice-receipt.tax-invoice": ("ใบกำกับภาษีอิเล็กทรอนิกส์", "electronic tax invoices"),
    "th.etda.e-tax-invoice-receipt.receipt": ("ใบรับอิเล็กทรอนิกส์", "electronic receipts"),
    "th.etda.e-tax-invoice-receipt.invoice": ("ใบแจ้งหนี้อิเล็กทรอนิกส์", "electronic invoices"),
    "th.bot.payment-notification": ("แจ้งผลการรับชำระเงิน", "payment notifications"),
    "th.dbd.juristic-person": ("ข้อมูลนิติบุคคล", "juristic person data"),
    "th.dga.dataset-metadata": ("คำอธิบายชุดข้อมูล", "dataset metadata"),
    "th.dga.e-saraban": ("หนังสือราชการอิเล็กทรอนิกส์", "official letters"),
    "th.moph.patient-referral": ("ส่งต่อผู้ป่วย", "patient referrals"),
    "th.moe.education-certificate": ("วุฒิการศึกษา", "education certificates"),
    "th.dlt.vehicle-registration": ("ทะเบียนรถ", "vehicle registrations"),
    "th.dol.land-title": ("โฉนดที่ดิน", "land titles"),
    "th.dga.business-licence-application": ("คำขออนุญาตประกอบธุรกิจ", "business licence applications"),
}
LEGAL_BASIS = "พ.ร.บ.การบริหารงานและการให้บริการภาครัฐผ่านระบบดิจิทัล พ.ศ. 2562 · Digital Government Administration Act B.E. 2562"


@dataclass
class DemoSummary:
    """What was seeded, to print."""

    seed: int
    scale: float
    agencies: int = 0
    sectors: int = 0
    inactive: int = 0
    links: int = 0
    links_ended: int = 0
    events: int = 0
    batches: int = 0
    first_event: dt.date | None = None
    last_event: dt.date | None = None
    log_entries: int = 0
    by_sector: dict[str, int] = field(default_factory=dict)
    registered_later: int = 0
    dissolved: int = 0
    moved_sector: int = 0
    private: int = 0
    private_links: int = 0

    def lines(self) -> list[str]:
        sectors = ", ".join(f"{s} {n}" for s, n in self.by_sector.items())
        return [
            f"demo data (seed {self.seed}, scale {self.scale:g}):",
            f"  {self.agencies} agencies in {self.sectors} sectors ({self.inactive} inactive): {sectors}",
            f"  {self.links} exchange links ({self.links_ended} ended, most when their version was superseded)",
            f"  {self.events:,} event records in {self.batches:,} batches, {self.first_event} to {self.last_event}",
            f"  {self.log_entries:,} log entries, the last one marking this registry as demo data",
            f"  registered from {REGISTERED_ON}, {self.registered_later} in 2023; {self.dissolved} provincial units "
            f"dissolved in 2022; {self.moved_sector} moved sector",
            f"  {self.private} made-up private companies (government–business) in {self.private_links} of the links, "
            "with RD and DBD",
        ]


# --------------------------------------------------------------------------- the catalog as it stood


def catalog_as_of(catalog: Catalog, day: dt.date) -> Catalog:
    """The catalog with each version's status as it was on ``day``.

    A link declared on ``day`` is checked against the catalog of that day: a version
    since deprecated was announced then, and the registry accepted it.
    """
    return Catalog(
        (
            dataclasses.replace(s, versions=tuple(
                dataclasses.replace(v, status=v.status_on(day, catalog.announced_on(v))) for v in s.versions))
            for s in catalog
        ),
        catalog.register,
    )


def standing_on(catalog: Catalog, standard: Standard, day: dt.date) -> StandardVersion | None:
    """The newest version of ``standard`` that stood announced on ``day``."""
    pool = [v for v in standard.versions if v.status_on(day, catalog.announced_on(v)) == "announced"]
    return max(pool, key=lambda v: v.semver) if pool else None


def successor(catalog: Catalog, standard: Standard, version: StandardVersion) -> StandardVersion | None:
    later = [v for v in standard.versions if v.is_announced and catalog.announced_on(v) and v.semver > version.semver]
    return min(later, key=lambda v: v.semver) if later else None


# --------------------------------------------------------------------------- the plan of a country


@dataclass
class _Agency:
    code: str
    name_th: str
    name_en: str
    sector: str
    parent: str | None
    hub: bool
    id: int = 0
    kind: str = "ministry-department"
    registered_on: dt.date = REGISTERED_ON
    dissolved_on: dt.date | None = None
    juristic_id: str | None = None


@dataclass
class _Link:
    provider: str
    consumer: str
    standard: str
    version: str
    start: dt.date
    end: dt.date | None = None
    silent: bool = False  # declared, but nothing is ever reported over it
    both_sides: bool = True
    volume: int = 100
    id: int = 0


def _people(rng: random.Random, scale: float) -> list[_Agency]:
    people = []
    for sector, plan in SECTOR_PLANS.items():
        for n, (code, th, en) in enumerate(plan.central):
            people.append(_Agency(code, th, en, sector, None, n < plan.hubs, kind=CENTRAL_KINDS.get(code, "ministry-department"),
                                  registered_on=REGISTERED_LATER.get(code, REGISTERED_ON)))
        count = max(2, round(plan.provinces * scale))
        prefix, th, en = plan.local
        parent = plan.central[0][0]
        for n, (pcode, pth, pen) in enumerate(rng.sample(PROVINCES, min(count, len(PROVINCES)))):
            people.append(_Agency(f"{prefix}-{pcode}", th.format(th=pth), en.format(en=pen), sector, parent, False,
                                  kind=plan.local_kind, dissolved_on=DISSOLVED.get(sector) if n == 1 else None))
    return people


def _companies() -> list[_Agency]:
    return [
        _Agency(code, th, en, sector, None, False, kind=PRIVATE_JURISTIC_PERSON, registered_on=day, juristic_id=illustrative_juristic_id(n))
        for n, (code, th, en, sector, day) in enumerate(PRIVATE_PARTIES, start=1)
    ]


def _adoption_day(rng: random.Random, plan: SectorPlan) -> dt.date | None:
    """When an agency first exchanges under a common standard (logistic take-up), or never."""
    if rng.random() > plan.adoption:
        return None
    u = min(max(rng.random(), 1e-6), 1 - 1e-6)
    year = plan.midpoint + math.log(u / (1 - u)) / 1.6
    year = min(max(year, 2017.05), 2025.9)
    return dt.date(int(year), 1, 1) + dt.timedelta(days=int((year % 1) * 365))


def _plan_links(rng: random.Random, catalog: Catalog, people: list[_Agency]) -> list[_Link]:
    by_code = {a.code: a for a in people}
    hubs = {s: [a.code for a in people if a.sector == s and a.hub] for s in SECTOR_PLANS}
    planned: list[_Link] = []
    for agency in people:
        plan = SECTOR_PLANS[agency.sector]
        day = _adoption_day(rng, plan if not agency.hub else dataclasses.replace(plan, adoption=1.0, midpoint=2018.0))
        if day is None:
            continue
        quiet = not agency.hub and rng.random() < 0.1  # declares its links but never reports over them
        for _ in range(rng.choice((2, 2, 3, 3, 4)) + (3 if agency.hub else 0)):
            standard_id = rng.choice(plan.standards)
            standard = catalog.standard(standard_id)
            first = min((d for v in standard.versions if v.is_announced and (d := catalog.announced_on(v))), default=None)
            if first is None:
                continue
            start = max(day, first + dt.timedelta(days=rng.randint(20, 240))) + dt.timedelta(days=rng.randint(0, 120))
            start = max(start, agency.registered_on + dt.timedelta(days=45))  # a party exchanges only once it exists
            if start > LAST_DAY - dt.timedelta(days=30):
                continue
            version = standing_on(catalog, standard, start)
            if version is None:
                continue
            partner = NATIONAL_HUBS.get(standard_id) if rng.random() < 0.5 else rng.choice(hubs[agency.sector] or [agency.code])
            if partner is None or partner == agency.code or partner not in by_code:
                partner = rng.choice([c for c in hubs[agency.sector] + list(NATIONAL_HUBS.values()) if c != agency.code and c in by_code])
            provider, consumer = (partner, agency.code) if rng.random() < 0.5 else (agency.code, partner)
            link = _Link(provider, consumer, standard_id, version.version, start,
                         silent=quiet or rng.random() < 0.05, both_sides=rng.random() < 0.75, volume=rng.randint(20, 600))
            planned.extend(_lifetime(rng, catalog, standard, version, link))
    return _within_lives(planned, by_code)


def _within_lives(planned: list[_Link], by_code: dict[str, _Agency]) -> list[_Link]:
    """The links cut to the days both parties exist: a dissolved unit's links end the day before."""
    kept = []
    for link in planned:
        gone = min((d for c in (link.provider, link.consumer) if (d := by_code[c].dissolved_on) is not None), default=None)
        if gone is not None:
            if link.start >= gone - dt.timedelta(days=1):
                continue
            if link.end is None or link.end >= gone:
                link.end = gone - dt.timedelta(days=1)
        kept.append(link)
    return kept


def _plan_private_links(rng: random.Random, catalog: Catalog, companies: list[_Agency]) -> list[_Link]:
    """Each company's exchanges with RD (e-tax invoices and receipts) and DBD (juristic-person data)."""
    planned: list[_Link] = []
    for company in companies:
        for standard_id, (agency, company_provides) in PRIVATE_EXCHANGES.items():
            standard = catalog.standard(standard_id)
            first = min((d for v in standard.versions if v.is_announced and (d := catalog.announced_on(v))), default=None)
            if first is None:
                continue
            start = max(first, company.registered_on) + dt.timedelta(days=rng.randint(60, 700))
            version = standing_on(catalog, standard, start)
            if version is None or start > LAST_DAY - dt.timedelta(days=30):
                continue
            provider, consumer = (company.code, agency) if company_provides else (agency, company.code)
            link = _Link(provider, consumer, standard_id, version.version, start, volume=rng.randint(50, 400))
            planned.extend(_lifetime(rng, catalog, standard, version, link))
    return planned


def _lifetime(rng: random.Random, catalog: Catalog, standard: Standard, version: StandardVersion, link: _Link) -> Iterator[_Link]:
    """The link, and the links that replace it when its version is deprecated (mostly on time, some late)."""
    while True:
        if rng.random() < 0.04:  # some exchanges simply stop
            link.end = link.start + dt.timedelta(days=rng.randint(120, 900))
            if link.end < LAST_DAY:
                yield link
                return
            link.end = None
        withdrawn = version.withdrawn_on
        after = successor(catalog, standard, version)
        after_on = catalog.announced_on(after) if after is not None else None
        if withdrawn is None or after is None or after_on is None or withdrawn > LAST_DAY:
            yield link
            return
        ready = max(after.effective or after_on, link.start + dt.timedelta(days=30))
        if rng.random() < 0.8:  # moved in time: before the old version is withdrawn
            move = ready + dt.timedelta(days=rng.randint(0, max(0, (withdrawn - ready).days)))
        else:  # late: a gap in which the agency does not count
            move = max(ready, withdrawn + dt.timedelta(days=rng.randint(60, 500)))
        if move >= LAST_DAY:
            yield link
            return
        link.end = move - dt.timedelta(days=1)
        yield link
        link = dataclasses.replace(link, version=after.version, start=move, end=None, id=0)
        version = after


def _records(rng: random.Random, link: _Link, side: str, step_days: int) -> list[EventRecord]:
    """One record per window over the link's life, growing as the exchange matures.

    Every window lies within the link's period, as ingestion requires: it starts at 01:00 UTC
    (08:00 in Bangkok) of a day of the link, and the last one of an ended link stops at Bangkok
    midnight after its end date rather than straddle it. Outcomes never exceed the messages.
    """
    records = []
    day = link.start
    last = min(link.end or LAST_DAY, LAST_DAY)
    closes = local_midnight_utc(link.end + dt.timedelta(days=1)) if link.end is not None else None
    n = 0
    while day <= last:
        span = min(step_days, (last - day).days + 1)
        start = dt.datetime(day.year, day.month, day.day, 1, tzinfo=UTC)
        end = start + dt.timedelta(days=span)
        growth = 1 + (day - link.start).days / 365
        messages = max(1, int(link.volume * span / 7 * growth * rng.uniform(0.7, 1.3)))
        failed = int(messages * rng.uniform(0, 0.03))
        invalid = int(messages * rng.uniform(0, 0.02))
        records.append(
            EventRecord.model_construct(
                record_id=f"{side[0]}{n:05d}", window_start=start, window_end=end if closes is None else min(end, closes),
                messages=messages, bytes=messages * rng.randint(3_000, 60_000), succeeded=messages - failed,
                failed=failed, valid=messages - invalid, invalid=invalid,
            )
        )
        day += dt.timedelta(days=step_days)
        n += 1
    return records


# --------------------------------------------------------------------------- exchanges without a standard

#: Made-up exchanges no catalog standard covers yet, one kind per sector (illustrative: plausible document types,
#: not facts about any agency): Thai and English name, format, a foreign or proprietary standard followed, or "".
STANDARDLESS_DOCUMENTS = {
    "public-administration": ("แบบคำร้องทั่วไปที่สแกนจากกระดาษ", "general petition forms scanned from paper", "paper-scan", ""),
    "finance": ("รายงานการรับชำระเงินรายวัน (ไฟล์ส่งออก)", "daily payment receipt export", "csv", ""),
    "commerce": ("ใบรับรองแหล่งกำเนิดสินค้าแบบ PDF", "certificates of origin as PDF", "pdf", ""),
    "health": ("ข้อมูลผลตรวจทางห้องปฏิบัติการ", "laboratory results", "other", "HL7 v2.5"),
    "education": ("รายชื่อผู้สำเร็จการศึกษารายภาคเรียน", "graduate lists per term", "csv", ""),
    "transport": ("รายงานอุบัติเหตุทางถนนรายเดือน", "monthly road accident reports", "xml", "XML ตามรูปแบบของผู้ขายระบบ · a vendor's own XML"),
    "land": ("คำขอรังวัดที่ดินที่สแกนจากกระดาษ", "land survey requests scanned from paper", "paper-scan", ""),
    "social-welfare": ("ทะเบียนผู้รับเบี้ยยังชีพ (ไฟล์ส่งออก)", "allowance recipient register export", "json", ""),
    "agriculture": ("ทะเบียนเกษตรกรผู้เลี้ยงสัตว์", "livestock farmer register", "csv", ""),
    "statistics": ("ตารางสถิติรายจังหวัด", "provincial statistical tables", "other", "SDMX 2.1"),
}


def _seed_standardless_links(
    tx: WriteTx, catalog: Catalog, people: list[_Agency], planned: list[_Link], summary: DemoSummary, *, seed: int, step_days: int
) -> None:
    """A few exchanges without a catalog standard, with events, so the reports have some (a generator of its own).

    In each sector, up to two central agencies that exchange nothing under a standard send
    the sector's made-up document to one of its hubs: they show as exchanging only without a
    standard beside indicator 16. Every link is declared, as an agency would, in its own words.
    """
    rng = random.Random(f"{seed}:standardless")
    in_links = {c for link in planned for c in (link.provider, link.consumer)}
    by_code = {a.code: a for a in people}
    for sector, (th, en, document_format, followed) in STANDARDLESS_DOCUMENTS.items():
        central = [a for a in people if a.sector == sector and a.parent is None and a.registered_on == REGISTERED_ON]
        hubs = [a for a in central if a.hub]
        quiet = [a for a in central if not a.hub and a.code not in in_links]
        if not hubs:
            continue
        for agency in quiet[:2] or [a for a in central if not a.hub][:1]:
            hub = rng.choice(hubs)
            start = dt.date(rng.randint(2018, 2023), rng.randint(1, 12), 1)
            link = _Link(agency.code, hub.code, "", "", start, both_sides=rng.random() < 0.6, volume=rng.randint(10, 200))
            made = links.declare(tx=tx, caller=_as(agency), catalog=catalog, data=LinkCreate(
                provider=agency.code, consumer=hub.code, document_name=f"{th} · {en}", document_format=document_format,
                yearly_volume=link.volume * 52, followed_standard=followed or None,
                purpose=f"{th} · {en} (ตัวอย่างสมมติ · illustrative)", legal_basis=LEGAL_BASIS, start_date=start,
            ))
            summary.links += 1
            for side, code in (("provider", link.provider), ("consumer", link.consumer)):
                if side == "consumer" and not link.both_sides:
                    continue
                records = _records(rng, link, side, step_days)
                for first in range(0, len(records), MAX_BATCH):
                    batch = EventBatch.model_construct(records=records[first : first + MAX_BATCH])
                    events.ingest(tx=tx, caller=_as(by_code[code]), link_id=made.id, batch=batch)
                    summary.batches += 1
                summary.events += len(records)


# --------------------------------------------------------------------------- requests for standards

#: Made-up requests for standards (illustrative, not any agency's real request): agency, Thai and English document
#: type, sectors, partners, documents a year, urgency, and the need group it goes in (or None: left open).
DEMO_REQUESTS = (
    ("DMS", "ผลตรวจทางห้องปฏิบัติการ", "laboratory results", ("health",), ("NHSO", "DDC"), 2_400_000, "high", "lab"),
    ("DDC", "รายงานผลตรวจทางห้องปฏิบัติการโรคติดต่อ", "communicable disease laboratory reports", ("health",), ("DMS",), 350_000, "critical", None),
    ("NHSO", "ผลตรวจทางห้องปฏิบัติการประกอบการเบิกจ่าย", "laboratory results for claims", ("health", "finance"), ("DMS",), 900_000, "medium", "lab"),
    ("DFT", "ใบรับรองแหล่งกำเนิดสินค้า", "certificates of origin", ("commerce",), ("CUSTOMS",), 600_000, "high", "origin"),
    ("CUSTOMS", "ใบรับรองแหล่งกำเนิดสินค้าอิเล็กทรอนิกส์", "electronic certificates of origin", ("finance", "commerce"), ("DFT",), None, "medium", "origin"),
    ("DLT", "รายงานอุบัติเหตุทางถนน", "road accident reports", ("transport",), ("DOH-HW",), 120_000, "low", None),
)
#: The office's two need groups: key → Thai and English name, priority, status, note, and the words that find the
#: links declared without a standard that carry the same document.
DEMO_GROUPS = {
    "lab": ("ผลตรวจทางห้องปฏิบัติการ", "Laboratory results", 1, "planned", "ตัวอย่างสมมติ · illustrative: planned for drafting", "laboratory results"),
    "origin": ("ใบรับรองแหล่งกำเนิดสินค้า", "Certificates of origin", 2, "open", "", "certificates of origin"),
}


def _seed_requests(tx: WriteTx, catalog: Catalog, people: list[_Agency]) -> None:
    """A handful of requests for standards and the office's answer to them, through the services, so that the needs
    report has something to rank: two need groups (one planned) with requests and the standard-less links that carry
    the same document, one request merged into another (the communicable disease reports into the laboratory
    results), one left open. Agencies or partners the seed did not make (a small scale) are left out."""
    from .api_models_needs import NeedGroupCreate, RequestCreate
    from .models import ExchangeLink
    from .services import needs

    by_code = {a.code: a for a in people if a.id}
    groups = {}
    for key, (th, en, priority, status, note, _) in DEMO_GROUPS.items():
        groups[key] = needs.create_group(tx=tx, caller=SEEDER, catalog=catalog, data=NeedGroupCreate(
            name_th=th, name_en=en, priority=priority, status=status, status_note=note,
        ))
    filed: dict[str, tuple[int, str | None]] = {}
    for code, th, en, sectors, partners, volume, urgency, group in DEMO_REQUESTS:
        if code not in by_code:
            continue
        made = needs.file_request(tx=tx, caller=_as(by_code[code]), data=RequestCreate(
            document_type=f"{th} · {en}", sectors=list(sectors), partners=[p for p in partners if p in by_code],
            yearly_volume=volume, urgency=urgency, urgency_reason="ตัวอย่างสมมติ · illustrative request (demo data)",
        ))
        filed[code] = (made.id, group)
    for request_id, group in filed.values():
        if group is not None:
            needs.group_request(tx=tx, caller=SEEDER, group_id=groups[group].id, request_id=request_id)
    if "DDC" in filed and "DMS" in filed:  # communicable disease lab reports are laboratory results too: a duplicate
        needs.merge_request(tx=tx, caller=SEEDER, request_id=filed["DDC"][0], into_id=filed["DMS"][0])
    for key, (*_, words) in DEMO_GROUPS.items():
        found = tx.session.execute(
            select(ExchangeLink.id).where(ExchangeLink.standard_id.is_(None), ExchangeLink.document_name.contains(words)).order_by(ExchangeLink.id)
        ).scalars().all()
        for link_id in found:
            needs.add_link(tx=tx, caller=SEEDER, group_id=groups[key].id, link_id=link_id)


# --------------------------------------------------------------------------- seeding


def _as(agency: _Agency) -> Caller:
    return Caller(role="agency", agency_id=agency.id, agency_code=agency.code, name="demo")


def seed(database: Database, catalog: Catalog, *, seed: int = DEFAULT_SEED, scale: float = 1.0) -> DemoSummary:
    """Fill an empty registry with demo data, in one transaction; return what was seeded.

    ``scale`` (0 < scale ≤ 1) shrinks the provincial units and thins the events, for
    quick tests; 1 gives the full country.

    :raises Conflict: the registry already has agencies.
    """
    if not 0 < scale <= 1:
        raise ValueError("scale must be in (0, 1]")
    rng = random.Random(seed)
    summary = DemoSummary(seed=seed, scale=scale)
    with database.write() as tx:
        if tx.session.execute(select(func.count()).select_from(Agency)).scalar_one():
            raise Conflict("the registry already has agencies: demo data goes only into an empty registry", code="registry_not_empty")
        people = _people(rng, scale)
        companies = _companies()
        _register(tx, people, summary)
        _register_companies(tx, companies, summary)
        planned = _plan_links(rng, catalog, people)
        # a generator of its own: the companies leave the government agencies' plan as it was
        private = _plan_private_links(random.Random(f"{seed}:private"), catalog, companies)
        summary.private_links = len(private)
        planned += private
        _declare(tx, catalog, people + companies, planned, summary)
        _report(tx, rng, people + companies, planned, summary, step_days=max(7, round(7 / scale)))
        _seed_standardless_links(tx, catalog, people, planned, summary, seed=seed, step_days=max(7, round(7 / scale)))
        _seed_requests(tx, catalog, people)
        _suspend(tx, rng, people, summary)
        log.append(tx, actor=SEEDER.actor, kind=DEMO_KIND, payload={
            "seed": seed, "scale": scale, "agencies": summary.agencies, "links": summary.links, "events": summary.events,
            "note": "demo data: a made-up country for trying the registry, not real figures",
        })
        summary.log_entries = tx.lock_log()  # the size of the log, now that everything is in it
    return summary


def _register(tx: WriteTx, people: list[_Agency], summary: DemoSummary) -> None:
    moved, was, moved_on = SECTOR_MOVE
    for a in people:
        made = agencies.create(tx=tx, caller=SEEDER, data=AgencyCreate(
            code=a.code, name_th=a.name_th, name_en=a.name_en, sector=was if a.code == moved else a.sector, parent=a.parent,
            kind=a.kind, registered_on=a.registered_on, dissolved_on=a.dissolved_on,
        ))
        a.id = made.id
        if a.code == moved:  # registered in one sector, in its plan's sector from moved_on
            agencies.update(tx=tx, caller=SEEDER, code=a.code, data=AgencyUpdate(sector=a.sector, sector_since=moved_on))
            summary.moved_sector += 1
        summary.by_sector[a.sector] = summary.by_sector.get(a.sector, 0) + 1
        summary.registered_later += a.registered_on > REGISTERED_ON
        summary.dissolved += a.dissolved_on is not None
    summary.agencies, summary.sectors = len(people), len(summary.by_sector)


def _register_companies(tx: WriteTx, companies: list[_Agency], summary: DemoSummary) -> None:
    for c in companies:
        c.id = agencies.create(tx=tx, caller=SEEDER, data=AgencyCreate(
            code=c.code, name_th=c.name_th, name_en=c.name_en, sector=c.sector, kind=c.kind, juristic_id=c.juristic_id,
            registered_on=c.registered_on,
        )).id
    summary.private = len(companies)


def _declare(tx: WriteTx, catalog: Catalog, people: list[_Agency], planned: list[_Link], summary: DemoSummary) -> None:
    by_code = {a.code: a for a in people}
    for link in sorted(planned, key=lambda x: (x.start, x.provider, x.consumer, x.standard, x.version)):
        th, en = PURPOSES[link.standard]
        declarer = by_code[link.consumer if link.consumer not in NATIONAL_HUBS.values() else link.provider]
        made = links.declare(tx=tx, caller=_as(declarer), catalog=catalog_as_of(catalog, link.start), data=LinkCreate(
            provider=link.provider, consumer=link.consumer, standard=link.standard, version=link.version,
            purpose=f"{th} · {en}", legal_basis=LEGAL_BASIS, start_date=link.start,
        ))
        link.id = made.id
        if link.end is not None:
            links.change(tx=tx, caller=_as(declarer), catalog=catalog, link_id=made.id, data=LinkUpdate(status="ended", end_date=link.end))
            summary.links_ended += 1
    summary.links = len(planned)


def _report(tx: WriteTx, rng: random.Random, people: list[_Agency], planned: list[_Link], summary: DemoSummary, *, step_days: int) -> None:
    by_code = {a.code: a for a in people}
    for link in sorted(planned, key=lambda x: x.id):
        if link.silent:
            continue
        for side, code in (("provider", link.provider), ("consumer", link.consumer)):
            if side == "consumer" and not link.both_sides:
                continue
            records = _records(rng, link, side, step_days)
            for start in range(0, len(records), MAX_BATCH):
                batch = EventBatch.model_construct(records=records[start : start + MAX_BATCH])
                events.ingest(tx=tx, caller=_as(by_code[code]), link_id=link.id, batch=batch)
                summary.batches += 1
            summary.events += len(records)
            if records:
                first, last = records[0].window_start.date(), records[-1].window_start.date()
                summary.first_event = min(summary.first_event or first, first)
                summary.last_event = max(summary.last_event or last, last)


def _suspend(tx: WriteTx, rng: random.Random, people: list[_Agency], summary: DemoSummary) -> None:
    """A few provincial units are suspended (inactive): they drop out of indicator 16."""
    local = [a for a in people if a.parent is not None]
    for a in rng.sample(local, min(4, len(local))):
        agencies.update(tx=tx, caller=SEEDER, code=a.code, data=AgencyUpdate(status="inactive"))
        summary.inactive += 1


def is_empty(database: Database) -> bool:
    """Whether the registry has no agency yet (where ``make run`` seeds demo data)."""
    with database.transaction(write=False) as session:
        return not session.execute(select(func.count()).select_from(Agency)).scalar_one()



# --------------------------------------------------------------------------- as `dxs demo seed` asks


@dataclass(frozen=True)
class Seeded:
    """What ``dxs demo seed`` did to the registry at ``url``."""

    url: str
    #: ``None``: the registry already had agencies, and was left as it was
    summary: DemoSummary | None
    seconds: float = 0.0


def seed_registry(
    url: str,
    catalog: Catalog,
    *,
    log_key: Path | None = None,
    random_seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    if_empty: bool = False,
) -> Seeded:
    """Migrate the registry at ``url``, then :func:`seed` it, signing the log with the key in ``log_key``.

    :raises Conflict: the registry already has agencies (unless ``if_empty``, which leaves it as it is).
    :raises ServiceError: a service refused a seeded write.
    """
    import time
    from .migrate import upgrade
    from .signing import load_or_create_signer

    upgrade(url)
    database = Database(url, signer=load_or_create_signer(log_key))
    try:
        if not is_empty(database):
            if if_empty:
                return Seeded(url, None)
            raise Conflict(f"{url} already has agencies: demo data goes only into an empty registry")
        started = time.perf_counter()
        summary = seed(database, catalog, seed=random_seed, scale=scale)
    finally:
        database.dispose()
    return Seeded(url, summary, time.perf_counter() - started)
