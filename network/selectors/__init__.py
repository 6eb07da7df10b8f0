"""Reads of the network app, one module per part (``circles``: peer
circles and the network's page; ``led``: what the network led, for the
programme report)."""
