from pathlib import Path

import pytest

from congso.env import ConfigurationError, get_bool, get_int, get_list, parse_database_url

BASE = Path("/srv/congso")


def test_sqlite_relative_path_is_under_the_project():
    db = parse_database_url("sqlite:///var/congso.sqlite3", BASE)
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == "/srv/congso/var/congso.sqlite3"
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]


def test_sqlite_absolute_path():
    assert parse_database_url("sqlite:////data/c.db", BASE)["NAME"] == "/data/c.db"


def test_postgres_url_with_pool():
    db = parse_database_url("postgres://app:s%40cret@db.local:5433/congso?sslmode=require", BASE, pool_size=4)
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == ("app", "s@cret", "db.local", "5433", "congso")
    assert db["OPTIONS"]["pool"]["max_size"] == 4
    assert db["OPTIONS"]["sslmode"] == "require"


def test_unknown_scheme_is_rejected():
    with pytest.raises(ConfigurationError):
        parse_database_url("mysql://x/y", BASE)
    with pytest.raises(ConfigurationError):
        parse_database_url("sqlite://", BASE)


def test_typed_getters(monkeypatch):
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_INT", "42")
    monkeypatch.setenv("X_LIST", "a, b,,c")
    assert get_bool("X_BOOL") is True
    assert get_int("X_INT", 1) == 42
    assert get_list("X_LIST", []) == ["a", "b", "c"]
    monkeypatch.setenv("X_BOOL", "maybe")
    with pytest.raises(ConfigurationError):
        get_bool("X_BOOL")
    monkeypatch.setenv("X_INT", "4x")
    with pytest.raises(ConfigurationError):
        get_int("X_INT", 1)
