"""Documents about the programme as a whole, built on the domain apps.

``insights`` reads ``engagements``, ``consultants``, ``checklists`` and
``compensation``; no app depends on it. Its report kinds (the engagement
brief and the programme report) go through the Foundation's report path
(``reports.registry``): requested from /reports/, rendered by the worker.
"""
