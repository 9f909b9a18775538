"""What every validation engine offers: ``issues(document)`` → a list of :class:`Issue`.

The four engines take the document in the form they validate:

- :class:`~validator.json_engine.JsonSchema`: a parsed JSON value, with the raw
  text as ``source`` to give each issue its line and column;
- :class:`~validator.xml_engine.XmlSchema` and :class:`~validator.schematron.Schematron`:
  a parsed XML tree (it carries the line numbers; ``source`` is not needed);
- :class:`~validator.xml_stream.StreamingSchema`: the path of an XML file, read
  as a stream and never held whole (``source`` is not needed).

An engine never raises for a fault in the document: every fault is an issue. It
raises only for its own configuration (a schema that cannot be used).
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from .report import Issue

__all__ = ["Engine"]

#: What an engine validates: a parsed JSON value, an XML tree, or a file's path.
Document = TypeVar("Document", contravariant=True)


class Engine(Protocol[Document]):
    """A compiled schema or rule set that finds the issues of one document."""

    def issues(self, document: Document, /, source: bytes | str | None = None) -> list[Issue]:
        """Every issue of ``document``, in the order found; ``[]`` when it is valid.

        :param source: the document's text, for an engine that needs it for positions.
        """
        ...
