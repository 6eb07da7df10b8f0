"""Settings of the Celery processes that tests start (tests/processes.py):
the test settings, on the Redis keys of the xdist worker that started them
(tests/parallel.py), so that they take that worker's tasks and no other's."""

from config.settings.test import *  # noqa: F403
from config.settings.test import CACHES, CELERY_BROKER_TRANSPORT_OPTIONS, env

_prefix = env.str("TINIG_TEST_REDIS_PREFIX", default="")
if _prefix:
    CACHES["default"]["KEY_PREFIX"] = f"{_prefix}tinig"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,
        "global_keyprefix": _prefix,
    }
