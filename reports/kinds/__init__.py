"""Report kinds owned by the reports app itself. Other apps keep theirs at home
and register them from their own ``ready()``."""
