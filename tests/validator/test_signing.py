"""`dxs sign`: what it signs, `dxs validate` verifies — from PEM or PKCS#12, time-stamped by a local RFC 3161 authority."""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from tests.conftest import need
from tests.kit import pki
from tests.kit.cli import run_dxs

KIT = pki.make_pki()


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {name: tmp_path / name for name in ("signer.key", "signer.crt", "root.pem", "signer.p12", "invoice.xml")}
    paths["signer.key"].write_bytes(KIT.signer.key_pem)
    paths["signer.crt"].write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in KIT.signer.certs))
    paths["root.pem"].write_bytes(KIT.root.cert.public_bytes(serialization.Encoding.PEM))
    paths["signer.p12"].write_bytes(pkcs12.serialize_key_and_certificates(
        b"signer", KIT.signer.key, KIT.signer.cert, list(KIT.signer.chain), serialization.BestAvailableEncryption(b"secret")))
    paths["invoice.xml"].write_bytes(pki.example_bytes())
    return paths


@pytest.fixture()
def tsa() -> Iterator[str]:
    """An RFC 3161 authority on 127.0.0.1 (pyHanko's test time-stamper behind a plain HTTP server)."""
    need(importlib.util.find_spec("pyhanko") is not None, "pyHanko is not installed")
    from asn1crypto import tsp
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    from tests.kit.pdfs import _asn1

    key, certs = _asn1(KIT.tsa)
    stamper = DummyTimeStamper(tsa_cert=certs[0], tsa_key=key, certs_to_embed=SimpleCertificateStore.from_certs(certs))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            body = stamper.request_tsa_response(request).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/tsa"
    server.shutdown()


def test_a_pem_signed_invoice_validates_with_signer_and_trust(files, tmp_path: Path) -> None:
    out = tmp_path / "signed.xml"
    done = run_dxs("sign", files["invoice.xml"], "--key", files["signer.key"], "--cert", files["signer.crt"], "-o", out)
    assert done.exit_code == 0 and "signed by CN=ตัวอย่าง" in done.output
    checked = run_dxs("validate", "--trust", files["root.pem"], "--require-signature", "--require-trusted", out)
    assert checked.exit_code == 0 and "XAdES-BES signature by" in checked.output and "intact, signer trusted" in checked.output


def test_a_pkcs12_key_with_its_password_from_the_environment(files, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("P12_PASSWORD", "secret")
    out = tmp_path / "signed.xml"
    assert run_dxs("sign", files["invoice.xml"], "--pkcs12", files["signer.p12"], "--password-env", "P12_PASSWORD", "-o", out).exit_code == 0
    assert run_dxs("validate", "--trust", files["root.pem"], out).exit_code == 0
    monkeypatch.setenv("P12_PASSWORD", "wrong")
    refused = run_dxs("sign", files["invoice.xml"], "--pkcs12", files["signer.p12"], "--password-env", "P12_PASSWORD", "-o", tmp_path / "x.xml")
    assert refused.exit_code == 2 and "password is wrong" in refused.output and not (tmp_path / "x.xml").exists()


def test_a_time_stamped_signature_is_xades_t_and_its_token_verifies(files, tmp_path: Path, tsa: str) -> None:
    out = tmp_path / "stamped.xml"
    done = run_dxs("sign", files["invoice.xml"], "--key", files["signer.key"], "--cert", files["signer.crt"], "--tsa", tsa, "-o", out)
    assert done.exit_code == 0, done.output
    assert b"EncapsulatedTimeStamp" in out.read_bytes()
    checked = run_dxs("validate", "--format", "json", "--trust", files["root.pem"], out)
    assert checked.exit_code == 0, checked.output
    import json

    (signature,) = json.loads(checked.output)["documents"][0]["signatures"]
    assert signature["form"] == "XAdES-T" and signature["timestamp"]["verdict"] == "valid" and signature["trust"] == "trusted"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--key", "signer.key"], "--key KEY.pem with --cert CERT.pem"),
        (["--pkcs12", "signer.p12", "--key", "signer.key", "--cert", "signer.crt"], "not both"),
        (["--key", "root.pem", "--cert", "signer.crt"], "not a PEM private key"),
        (["--key", "signer.key", "--cert", "root.pem"], "is not the key's"),
        (["--key", "signer.key", "--cert", "signer.crt", "--password-env", "DXS_NOT_SET_ANYWHERE"], "is not set"),
        (["--key", "signer.key", "--cert", "signer.crt", "--tsa", "http://127.0.0.1:9/"], "time-stamp authority"),
    ],
)
def test_bad_keys_and_authorities_are_one_clear_line(files, args: list[str], said: str) -> None:
    done = run_dxs("sign", files["invoice.xml"], *[str(files.get(a, a)) for a in args])
    assert done.exit_code == 2 and said in done.output and "Traceback" not in done.output


def test_a_signed_or_broken_document_is_not_signed_again(files, tmp_path: Path) -> None:
    key = ["--key", files["signer.key"], "--cert", files["signer.crt"]]
    once = tmp_path / "once.xml"
    run_dxs("sign", files["invoice.xml"], *key, "-o", once)
    assert "already signed" in run_dxs("sign", once, *key).output
    broken = tmp_path / "broken.xml"
    broken.write_bytes(b"<a>")
    assert "not well-formed" in run_dxs("sign", broken, *key).output
