"""The network's reads, one module per part: ``leadership`` (the programme
report's "Survivor leadership" section, and the learning-event and
peer-circle totals the leaders' figures page shares)."""
