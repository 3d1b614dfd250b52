"""Typed helpers that read congso's settings from environment variables.

Every setting comes from the environment (see the README's table); these helpers turn the raw strings into typed
values and fail loudly on a malformed value instead of silently falling back.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


class ConfigurationError(ValueError):
    """A setting in the environment has a value congso cannot use."""


def get_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def get_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigurationError(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def get_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name}={raw!r} is not an integer") from exc


def get_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def parse_database_url(url: str, base_dir: Path, pool_size: int = 0, server_side_binding: bool = False) -> dict:
    """Turn `sqlite:///relative/path`, `sqlite:////absolute/path` or `postgres://user@host:port/name` into a
    Django DATABASES entry.

    SQLite runs in WAL mode with IMMEDIATE transactions so that writers queue on the database lock instead of
    failing half-way with "database is locked"; PostgreSQL uses Django's psycopg connection pool when
    `pool_size` > 0.
    """
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    if scheme == "sqlite":
        raw_path = unquote(url[len("sqlite://") :])
        if raw_path in ("", "/"):
            raise ConfigurationError("CONGSO_DATABASE_URL: an SQLite URL needs a file path")
        if raw_path == "/:memory:":
            name = ":memory:"
        elif raw_path.startswith("//"):
            name = raw_path[1:]  # sqlite:////abs/path → /abs/path
        else:
            name = str(base_dir / raw_path.lstrip("/"))
        test_name = os.environ.get("CONGSO_TEST_SQLITE_NAME") or str(base_dir / "var" / f"test-congso-{os.getpid()}.sqlite3")
        for path in (name, test_name):  # SQLite creates the file, not its folder (var/ is not in the repository)
            if path != ":memory:":
                try:
                    Path(path).parent.mkdir(parents=True, exist_ok=True)
                except OSError:
                    pass
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA temp_store=MEMORY;"
                    "PRAGMA mmap_size=134217728;"
                    "PRAGMA cache_size=-20000;"
                ),
            },
            # Tests run on a real file (WAL and IMMEDIATE transactions behave as in production; threads share it);
            # the process id keeps parallel runs apart. Django deletes it after the run.
            "TEST": {"NAME": test_name},
        }
    if scheme in ("postgres", "postgresql", "pgsql"):
        name = unquote(parsed.path.lstrip("/")) or "congso"
        options: dict = {}
        query = parse_qs(parsed.query)
        if "sslmode" in query:
            options["sslmode"] = query["sslmode"][0]
        if pool_size > 0:
            options["pool"] = {"min_size": 1, "max_size": pool_size, "timeout": 30}
        if server_side_binding:
            # Prepared statements: PostgreSQL plans a repeated statement once (measured in bench/README.md).
            # Not behind PgBouncer in transaction mode.
            options["server_side_binding"] = True
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parsed.username or "postgres"),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_HEALTH_CHECKS": pool_size == 0,
            "OPTIONS": options,
        }
    raise ConfigurationError(f"CONGSO_DATABASE_URL: unsupported scheme {scheme!r} (use sqlite:// or postgres://)")


def secret_key(base_dir: Path) -> str:
    """CONGSO_SECRET_KEY, or a random key kept in var/secret_key so a single-machine install survives restarts."""
    key = os.environ.get("CONGSO_SECRET_KEY")
    if key:
        return key
    path = base_dir / "var" / "secret_key"
    if path.exists():
        return path.read_text().strip()
    import secrets

    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key
