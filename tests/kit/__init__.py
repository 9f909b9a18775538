"""The test kit: what the tests, the stress run (:mod:`tests.stress`) and the benchmarks (``bench/``) share.

- :mod:`tests.kit.postgres`: throw-away PostgreSQL databases on 127.0.0.1, and whether there is a server;
- :mod:`tests.kit.world`: a migrated registry seeded with agencies, keys and a link, and the app over it;
- :mod:`tests.kit.dxs`: the ``dxs`` command as a subprocess, and ``dxs serve`` as a server to stop or kill;
- :mod:`tests.kit.machine`: one line naming the machine that figures come from.
- :mod:`tests.kit.reports`: indicator reports built by hand (unpublished, published, revised) for the renderings.

Imports go one way: the tests and ``bench/`` import the kit; the kit imports neither them nor pytest,
and this file imports none of its own modules.
"""

from pathlib import Path

#: The project's folder.
ROOT = Path(__file__).resolve().parent.parent.parent
