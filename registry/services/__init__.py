"""Domain logic of the registry on a SQLAlchemy session.

Each function takes a keyword-only ``session``, never imports the web framework,
never commits (the caller owns the transaction), and raises :mod:`registry.errors`.
"""
