"""What ``dxs validate`` does, as a plain function: inputs and a configuration in, a run's reports out.

The command line parses its arguments into a :class:`~validator.bulk.ValidatorConfig`,
calls :func:`validate_inputs` and renders the :class:`ValidationRun`; nothing here
prints. This module is on ``dxs validate``'s start-up path: it imports what it needs
when it runs.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .bulk import ValidatorConfig
    from .report import Report

__all__ = ["ProgressFactory", "ValidationRun", "validate_inputs"]

#: given the number of files, the progress callback for them (called with the number done so far), or ``None``
ProgressFactory = Callable[[int], "Callable[[int], None] | None"]


class ValidationRun:
    """The reports of one ``dxs validate``, in the order of its inputs.

    A plain class, not a dataclass: making one costs start-up time that ``dxs validate`` counts.
    """

    __slots__ = ("illustrative", "reports")

    def __init__(self, reports: list[Report], illustrative: frozenset[str]) -> None:
        self.reports = reports
        #: ``id@version`` of the catalog's illustrative versions, which a report labels as such
        self.illustrative = illustrative

    @property
    def valid(self) -> bool:
        return all(r.valid for r in self.reports)


def validate_inputs(
    paths: Sequence[str], config: ValidatorConfig, *, jobs: int | None = None, progress: ProgressFactory | None = None
) -> ValidationRun:
    """Validate the documents ``paths`` name (files, folders, globs, ``-`` for standard input).

    ``jobs`` worker processes (default: all cores); ``progress`` is asked for a progress
    callback once the number of files is known. A document that cannot be read or
    parsed is an issue in its report, never the end of the run.

    :raises DxsError: the configuration cannot be built (an unknown standard, an
        unreadable schema), a path names nothing, or a schema needs the network.
    """
    from .bulk import default_jobs, validate_many
    from .document_paths import STDIN, expand_paths

    validator = config.build()  # configuration errors surface here, before any work
    documents = expand_paths(paths)
    files = [d for d in documents if d != STDIN]
    bar = progress(len(files)) if progress else None
    by_path = dict(zip(files, validate_many(files, config, jobs=jobs or default_jobs(), validator=validator, progress=bar)))
    reports = [validator.validate_bytes(sys.stdin.buffer.read(), "-") if d == STDIN else by_path[d] for d in documents]
    return ValidationRun(reports, frozenset(v.ref for v in validator.catalog.versions() if v.illustrative))
