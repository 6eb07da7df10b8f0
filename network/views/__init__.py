"""Views of the network app, one module per part."""
