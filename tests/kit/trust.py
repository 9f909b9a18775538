"""A catalog whose e-Tax standard names a trust list (``[[trust]]``): the test PKI's root, marked illustrative."""

from __future__ import annotations

import shutil
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from dxs.standards import BUNDLED_CATALOG
from tests.kit import pki

KIT = pki.make_pki()
ETAX = "th.etda.e-tax-invoice-receipt"
TRUST = '''
[[trust]]
path = "trust"
source = "the test PKI the toolkit's tests make (not a real CA)"
illustrative = true
'''


def pem(*certs) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def catalog_with(tmp_path: Path, block: str = TRUST, files: dict[str, bytes] | None = None) -> Path:
    """A catalog holding a copy of the e-Tax standard whose standard.toml ends with ``block``."""
    folder = tmp_path / "catalog"
    shutil.copytree(BUNDLED_CATALOG / ETAX, folder / ETAX)
    shutil.copy(BUNDLED_CATALOG / "announcements.toml", folder)  # the register its versions name
    for name, data in (files if files is not None else {"trust/test-root.pem": pem(KIT.root.cert)}).items():
        (folder / ETAX / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / ETAX / name).write_bytes(data)
    toml = folder / ETAX / "standard.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + block, encoding="utf-8")
    return folder
