"""The site's own pages: where a person lands and what needs them today.

The top of the dependency order: these pages gather from every app, so
they may import any of them, and nothing imports this package but
``config.urls``.
"""
