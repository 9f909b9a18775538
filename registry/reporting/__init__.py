"""Indicators 15 and 16: the one home of the indicator domain.

:mod:`.config` (key sectors, targets) and :mod:`.definitions` (what is counted, in words)
feed :mod:`.indicators`, which computes the figures (the only module here that reads the
database); :mod:`.render`, :mod:`.charts` and :mod:`.schemas` turn its results into
tables, CSV, HTML, charts and JSON, and :mod:`.run` is what ``dxs report indicators``
does; :mod:`.periods` is the calendar or fiscal year they count over. The year
arithmetic (BE, CE, fiscal) is :mod:`validator.years`' and sector names are
:mod:`validator.sectors`'. Imports go one way: from here to ``registry.services``,
never back.
"""
