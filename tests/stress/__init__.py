"""Proof under fire: the reliability suite's scenarios, shared by `make test` and `make stress`.

Each scenario module exposes a function that runs a bounded amount of work and
returns its figures; `tests/reliability/` calls them small, :mod:`tests.stress.run`
(`python -m tests.stress.run`) calls them large and writes docs/reliability.md. The
registry they fire at comes from :mod:`tests.kit`. All traffic stays on 127.0.0.1.
"""
