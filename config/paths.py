"""Filesystem locations shared by settings and the development tools."""

from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# Everything a development machine keeps for itself: embedded database and
# Redis data, generated development secrets, private uploads and reports,
# the beat schedule. Git-ignored; deleting it resets the local installation.
LOCAL_DIR = BASE_DIR / ".local"


def read_dotenv() -> None:
    """Load `.env` into os.environ without overriding what is already set.

    Called before anything decides whether to start embedded services, so a
    DATABASE_URL in `.env` counts as configured.
    """
    dotenv = BASE_DIR / ".env"
    if dotenv.exists():
        import environ

        environ.Env.read_env(str(dotenv))
