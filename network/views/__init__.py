"""The network's pages, one module per area: ``lead`` (a survivor leader's area)."""
