# Models arrive with this app's issue; see docs/ARCHITECTURE.md.
