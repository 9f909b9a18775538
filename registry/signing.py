"""The key that signs the log's checkpoints, kept in a file outside the database.

Someone who can rewrite the database cannot also forge checkpoints unless they hold
this file, so the operator keeps it apart (and backs it up apart) from the data.
The public key is published with every checkpoint.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = ["LogSigner", "LogVerifier", "default_key_path", "load_or_create_signer"]

#: The file that holds the signing key unless ``DXS_LOG_KEY`` names another.
DEFAULT_KEY_FILE = ".dxs/log-signing.key"


def default_key_path() -> Path:
    return Path(os.environ.get("DXS_LOG_KEY") or DEFAULT_KEY_FILE)


def key_id(public: Ed25519PublicKey) -> str:
    """A short fingerprint naming the key in each checkpoint (first 16 hex of its SHA-256)."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


@dataclass(frozen=True)
class LogVerifier:
    """Checks checkpoint signatures with a public key."""

    public_key: Ed25519PublicKey

    @cached_property
    def key_id(self) -> str:  # every checkpoint names it: worked out once
        return key_id(self.public_key)

    @property
    def public_key_b64(self) -> str:
        raw = self.public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return base64.b64encode(raw).decode()

    @classmethod
    def from_b64(cls, text: str) -> LogVerifier:
        return cls(Ed25519PublicKey.from_public_bytes(base64.b64decode(text)))

    def verify(self, message: bytes, signature_b64: str) -> bool:
        try:
            self.public_key.verify(base64.b64decode(signature_b64), message)
        except (InvalidSignature, ValueError):
            return False
        return True


@dataclass(frozen=True)
class LogSigner(LogVerifier):
    """Signs checkpoints with an Ed25519 private key."""

    private_key: Ed25519PrivateKey | None = None

    @classmethod
    def generate(cls) -> LogSigner:
        private = Ed25519PrivateKey.generate()
        return cls(public_key=private.public_key(), private_key=private)

    @classmethod
    def from_pem(cls, pem: bytes) -> LogSigner:
        private = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(private, Ed25519PrivateKey):
            raise ValueError("the log signing key must be an Ed25519 private key")
        return cls(public_key=private.public_key(), private_key=private)

    def to_pem(self) -> bytes:
        assert self.private_key is not None
        return self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    def sign(self, message: bytes) -> str:
        assert self.private_key is not None
        return base64.b64encode(self.private_key.sign(message)).decode()


def load_or_create_signer(path: Path | None = None) -> LogSigner:
    """Read the signing key from ``path`` (default ``DXS_LOG_KEY`` or .dxs/log-signing.key), creating it once.

    Creation is atomic (written aside, then hard-linked into place), so several
    workers starting together agree on one key and never read a half-written file.
    """
    path = Path(path) if path else default_key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        signer = LogSigner.generate()
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(signer.to_pem())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another worker won the race; use its key
        finally:
            tmp.unlink()
    return LogSigner.from_pem(path.read_bytes())
