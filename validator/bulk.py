"""Validating many documents: in this process, or across worker processes.

:class:`ValidatorConfig` is the picklable recipe of a :class:`DocumentValidator`;
each worker builds its own validator once and then takes documents in chunks.
Reports come back in the order of the input. A file that cannot be read or
parsed is an issue in its report, never the end of the run.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .catalog import load_catalog
from .report import Report
from .validate import DEFAULT_MAX_BYTES, DocumentValidator, SignaturePolicy

__all__ = ["ValidatorConfig", "default_jobs", "validate_many"]

#: below this many documents, starting worker processes costs more than it saves
MIN_DOCUMENTS_PER_WORKER = 200


@dataclass(frozen=True)
class ValidatorConfig:
    """Everything needed to build the same validator in another process."""

    catalog_folders: tuple[str, ...] = ()
    standard: str | None = None
    schema: str | None = None
    rules: str | None = None
    at: dt.date | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    stream_bytes: int | None = None
    #: XML signatures: checked unless ``False``; trust anchors as PEM files or folders of them
    signatures: bool = True
    trust: tuple[str, ...] = ()
    require_signature: bool = False
    require_trusted: bool = False

    def build(self) -> DocumentValidator:
        """Load the catalog and compile the schemas (raises on configuration errors)."""
        kwargs = {"stream_bytes": self.stream_bytes} if self.stream_bytes is not None else {}
        anchors: tuple = ()
        if self.trust:
            from .signatures import load_trust  # only when asked: cryptography stays off the start-up path

            anchors = load_trust(self.trust)
        policy = SignaturePolicy(self.signatures, anchors, self.require_signature, self.require_trusted)
        return DocumentValidator(
            load_catalog(self.catalog_folders),
            standard=self.standard,
            schema=Path(self.schema) if self.schema else None,
            rules=Path(self.rules) if self.rules else None,
            at=self.at,
            max_bytes=self.max_bytes,
            signatures=policy,
            **kwargs,
        )


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


_worker_validator: DocumentValidator | None = None


def _start_worker(config: ValidatorConfig | None) -> None:
    global _worker_validator
    if config is not None:  # spawned: build afresh; forked workers inherited the parent's
        _worker_validator = config.build()
        _worker_validator.expect_many = True


def _can_fork() -> bool:
    """Forking shares the parent's compiled schemas for free, but a process that has
    started SaxonC (a native runtime with threads of its own) must spawn clean workers."""
    import multiprocessing
    import sys

    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    saxon = sys.modules.get("dxs.validator.schematron")
    return saxon is None or saxon._SaxonStylesheet._processor is None


def _validate_chunk(paths: list[str]) -> list[tuple[str | None, tuple] | str | None]:
    """Validate a chunk of files; clean reports travel back as just their standard (cheap to pickle)."""
    assert _worker_validator is not None
    out: list[tuple[str | None, tuple] | str | None] = []
    for path in paths:
        report = _worker_validator.validate_path(path)
        out.append((report.standard, report.issues) if report.issues else report.standard)
    return out


def validate_many(
    paths: Sequence[str],
    config: ValidatorConfig,
    *,
    jobs: int = 1,
    validator: DocumentValidator | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Report]:
    """Reports for ``paths`` (files on disk), in order.

    :param jobs: worker processes; 1 validates here. Small runs stay here too.
    :param validator: an already built validator for in-process work (saves building it twice).
    :param progress: called with the number of documents done so far.
    """
    workers = min(jobs, max(1, len(paths) // MIN_DOCUMENTS_PER_WORKER))
    local = validator or config.build()
    local.expect_many = len(paths) > 1
    if workers <= 1:
        for n, path in enumerate(paths, 1):
            report = local.validate_path(path)
            if progress:  # before yielding: a consumer may stop pulling after the last report
                progress(n)
            yield report
        return
    # This process takes the first share itself while workers - 1 others take the rest:
    # as many busy processes as cores, and no pickling for the share done here.
    import multiprocessing  # only when there are workers to start

    global _worker_validator
    own = len(paths) // workers
    remote = paths[own:]
    chunk = max(1, min(500, len(remote) // (workers * 8)))
    if _can_fork():
        _worker_validator = local
        context, initargs = multiprocessing.get_context("fork"), (None,)
    else:
        context, initargs = multiprocessing.get_context("spawn"), (config,)
    chunks = [list(remote[i : i + chunk]) for i in range(0, len(remote), chunk)]
    done = 0
    with context.Pool(workers - 1, initializer=_start_worker, initargs=initargs) as pool:
        pending = pool.imap(_validate_chunk, chunks)  # the workers start on these at once
        for path in paths[:own]:
            report = local.validate_path(path)
            done += 1
            if progress:
                progress(done)
            yield report
        for chunk_paths, results in zip(chunks, pending):
            done += len(chunk_paths)
            if progress:
                progress(done)
            for path, result in zip(chunk_paths, results):
                if isinstance(result, tuple):
                    yield Report(path, result[0], result[1])
                else:
                    yield Report(path, result, ())
