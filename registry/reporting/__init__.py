"""Indicators 15 and 16 as the standards office publishes them: periods, configuration,
definitions, and the renderings (table, CSV, JSON, HTML, charts).

The figures themselves are computed by :mod:`registry.services.indicators`; nothing
here touches the database.
"""
