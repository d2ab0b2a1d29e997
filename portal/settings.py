"""Configuration read from the environment, in one place."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", ROOT / "var"))


def _secret_key() -> str:
    """The signing key: from SECRET_KEY, else generated once and kept in var/ for the demo."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def files_others_can_read(var_dir: Path = VAR_DIR) -> list[tuple[Path, int]]:
    """The files and folders under var/ (the SQLite database, the secret key, batch ZIPs)
    that users other than the service's own may read or enter, with their modes."""
    if not var_dir.exists():
        return []
    found = []
    for path in [var_dir, *sorted(var_dir.rglob("*"))]:
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            found.append((path, mode))
    return found


def private_files_warnings(var_dir: Path = VAR_DIR) -> list[str]:
    """One line per file under var/ too open, saying how to close it (checked at start)."""
    return [
        f"{path} is readable by other users (mode {mode:o}): "
        f"chmod {'700' if path.is_dir() else '600'} {path}"
        for path, mode in files_others_can_read(var_dir)
    ]


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    production: bool
    session_hours: int = 8
    session_max_days: int = 7
    login_failure_limit: int = 5
    login_lockout_minutes: int = 15

    @property
    def uses_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))


def load_settings() -> Settings:
    return Settings(
        database_url=os.environ.get("DATABASE_URL", ""),
        secret_key=_secret_key(),
        production=os.environ.get("PORTAL_PRODUCTION", "").lower() in {"1", "true", "yes"},
    )
