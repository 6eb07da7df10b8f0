"""The network's reads. One module per part: ``growth`` (skills gained,
learning events, pathways, her growth page)."""
