"""Compatibility rules for XML Schema 1.0, over xmlschema's component model.

Both schemas are loaded with xmlschema (includes, imports and ``ref=`` resolved,
local files only). The walk starts at every global element and follows the
document's structure, so each change is located by the qualified path of the
element or attribute it affects (``/rsm:Root/ram:Child/@attr``). Compared:
target and imported namespaces; elements and attributes added or removed
(optional vs required, wildcards that already admit them); minOccurs/maxOccurs;
sequence order; choice members; model groups; content types (empty, simple,
element-only, mixed); simple types by variety, built-in base and every facet
(length, min/maxLength, pattern, enumeration, ranges, totalDigits,
fractionDigits, whiteSpace); unions and lists; nillable, default and fixed
values; derivation; documentation (documentation only).

A rule that cannot prove a change harmless calls it breaking. Not modelled:
substitution groups and ``xsi:type`` (a derivation change is reported but
assumed harmless for documents that do not use ``xsi:type``).

Modules, lowest first: :mod:`.components` (loading, names, particles), :mod:`.walk`
(global elements, element declarations, types), one module per component family
(:mod:`.attributes`, :mod:`.simple_types`, :mod:`.content`), and :mod:`.diff`
(the comparison and the entry points).
"""

from .components import load_xsd
from .diff import diff_xsd_files, diff_xsd_schemas

__all__ = ["diff_xsd_files", "diff_xsd_schemas", "load_xsd"]
