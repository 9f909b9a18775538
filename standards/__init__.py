"""The bundled national catalog: data only, one folder per standard (see docs/catalog-format.md)."""

from pathlib import Path

#: Folder holding the bundled catalog (works from a source tree and from an installed wheel).
BUNDLED_CATALOG: Path = Path(__file__).resolve().parent
