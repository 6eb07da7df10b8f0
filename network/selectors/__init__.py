"""The network's reads, one module per part: ``reviews`` (a survivor
leader's area: incoming requests in summary, what she leads, and the
reviews staff see before approval)."""
