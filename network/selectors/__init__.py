"""The network's reads, one module per part: ``growth`` (skills gained,
learning events, pathways, her growth page), ``reviews`` (a survivor
leader's area: incoming requests in summary, what she leads, and the
reviews staff see before approval), ``leadership`` (the programme report's
"Survivor leadership" section, and the learning-event and peer-circle
totals the leaders' figures page shares), ``circles`` and ``led`` (peer
circles; what the network led)."""
