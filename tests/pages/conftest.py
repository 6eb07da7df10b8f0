"""The portal home's fixtures: the engagement and compensation ones it gathers from."""

from tests.engagements.conftest import (  # noqa: F401 (fixtures)
    make_consultant,
    own_consultant,
    owner,
    texts,
)
