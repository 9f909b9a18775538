"""Compatibility between two versions of a standard: what changed, and what it breaks.

Modules, lowest first (a module imports only those above it in this list):

- :mod:`.changes` — the change model: :class:`Change`, :class:`Compatibility`, its
  :class:`Level` and bump, the version markers (:class:`JsonMarker`, :class:`XmlMarker`);
- :mod:`.json_schema` — the JSON Schema rules, one module per keyword family;
- :mod:`.xsd` — the XSD rules over xmlschema's component model, one module per
  component family;
- :mod:`.schematron` — the Schematron rules, assertion by assertion;
- :mod:`.evidence` — OLD's valid examples validated under NEW;
- :mod:`.render` — results as text and JSON;
- :mod:`.files` — any two schema files of one language (:func:`diff_files`);
- :mod:`.versions` — catalog versions, every form, version markers exempted
  (:func:`diff_versions`, :func:`diff_transitive`), and the semver conventions.
"""

from .changes import BUMPS, Change, Compatibility, JsonMarker, Level, XmlMarker
from .evidence import attach_evidence
from .files import diff_files, schema_form
from .render import dumps, render_text, transitive_to_dict
from .versions import bump_between, diff_transitive, diff_versions, earlier_announced, previous_announced

__all__ = [
    "BUMPS",
    "Change",
    "Compatibility",
    "JsonMarker",
    "Level",
    "XmlMarker",
    "attach_evidence",
    "bump_between",
    "diff_files",
    "diff_transitive",
    "diff_versions",
    "dumps",
    "earlier_announced",
    "previous_announced",
    "render_text",
    "schema_form",
    "transitive_to_dict",
]
