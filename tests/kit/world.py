"""A seeded registry to fire at: the agencies RD, CGD and DOPA with keys, an office key, a revoked key and a link.

Everything here is test scaffolding, on a database the caller provides (see :mod:`tests.kit.postgres`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

#: A link both RD and CGD may report events over (the bundled catalog's standard).
LINK = {
    "provider": "RD",
    "consumer": "CGD",
    "standard": "th.etda.e-tax-invoice-receipt.tax-invoice",
    "version": "2.1.0",
    "purpose": "Tax invoices for payments",
    "legal_basis": "Digital Government Act B.E. 2562, s. 12",
    "start_date": "2024-01-01",  # the kit reports 2024 windows: within the link's period
}


#: The first day the sample agencies exist for the registry: before any period a test counts.
SAMPLE_REGISTERED_ON = dt.date(2016, 10, 1)

#: The three agencies every reliability scenario and registry test starts from (ministries or departments).
SAMPLE_AGENCIES = (
    ("RD", "กรมสรรพากร", "Revenue Department"),
    ("CGD", "กรมบัญชีกลาง", "Comptroller General's Department"),
    ("DOPA", "กรมการปกครอง", "Department of Provincial Administration"),
)


@dataclass
class World:
    """A migrated, seeded registry: where it is and the keys to act in it."""

    url: str
    log_key: Path
    office: str
    keys: dict[str, str]  # agency code → its key
    revoked: str  # a revoked key of RD
    rd_key_id: int
    revoked_key_id: int
    link_id: int
    secrets: list[str] = field(default_factory=list)  # every key issued, to look for in logs

    def bearer(self, who: str) -> dict[str, str]:
        """Headers for a caller: an agency code, ``office``, ``revoked`` or ``none``."""
        key = {"office": self.office, "revoked": self.revoked, "none": None}.get(who, self.keys.get(who))
        return {"Authorization": f"Bearer {key}"} if key else {}


def seed(url: str, log_key: Path) -> World:
    """Migrate ``url`` and register RD, CGD and DOPA with keys, an office key, a revoked key and a link."""
    from dxs.registry.db import Database
    from dxs.registry.migrate import upgrade
    from dxs.registry.api_models import AgencyCreate, LinkCreate
    from dxs.registry.services import agencies, keys, links
    from dxs.registry.services.callers import Caller
    from dxs.registry.signing import load_or_create_signer
    from dxs.validator import catalog_folders, load_catalog

    upgrade(url)
    operator = Caller.system("stress")
    db = Database(url, signer=load_or_create_signer(log_key))
    try:
        with db.write() as tx:
            for code, th, en in SAMPLE_AGENCIES:
                agencies.create(tx=tx, caller=operator, data=AgencyCreate(code=code, name_th=th, name_en=en, sector="finance", kind="ministry-department", registered_on=SAMPLE_REGISTERED_ON))
            made = {code: keys.create(tx=tx, caller=operator, agency_code=code, label="stress") for code in ("RD", "CGD", "DOPA")}
            _, office = keys.create(tx=tx, caller=operator, agency_code=None, role="office", label="stress office")
            old, revoked = keys.create(tx=tx, caller=operator, agency_code="RD", label="old")
            keys.revoke(tx=tx, caller=operator, key_id=old.id)
            old_id = old.id
        with db.write() as tx:
            rd = Caller(role="agency", agency_id=made["RD"][0].agency_id, agency_code="RD", key_id=made["RD"][0].id)
            link = links.declare(tx=tx, caller=rd, catalog=load_catalog(catalog_folders()), data=LinkCreate(**LINK))
            link_id = link.id
    finally:
        db.dispose()
    agency_keys = {code: secret for code, (_, secret) in made.items()}
    return World(
        url=url,
        log_key=log_key,
        office=office,
        keys=agency_keys,
        revoked=revoked,
        rd_key_id=made["RD"][0].id,
        revoked_key_id=old_id,
        link_id=link_id,
        secrets=[*agency_keys.values(), office, revoked],
    )


def app_for(world: World):
    """The service in process over ``world``'s database (the bundled catalog)."""
    from dxs.registry import create_app
    from dxs.registry.db import Database
    from dxs.registry.signing import load_or_create_signer
    from dxs.validator import catalog_folders, load_catalog

    return create_app(catalog=load_catalog(catalog_folders()), database=Database(world.url, signer=load_or_create_signer(world.log_key)))
