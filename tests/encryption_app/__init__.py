"""A test-only app with every encrypted field type.

Installed only by config.settings.test. Its models let the encryption,
audit and key-rotation tests run before the domain apps have encrypted
fields of their own, and keep running after they do.
"""
