"""The optional Redis configuration works against a real Redis (127.0.0.1:6379; `make test` starts one)."""

import os
import uuid

import pytest
from django.core.cache import caches

REDIS_URL = os.environ.get("CONGSO_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def test_settings_switch_the_cache_to_redis(monkeypatch):
    import importlib

    import congso.settings as settings_module

    monkeypatch.setenv("CONGSO_REDIS_URL", REDIS_URL)
    reloaded = importlib.reload(settings_module)
    try:
        assert reloaded.CACHES["default"] == {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                              "LOCATION": REDIS_URL}
    finally:
        monkeypatch.delenv("CONGSO_REDIS_URL")
        importlib.reload(settings_module)


@pytest.mark.django_db
def test_rate_limits_count_in_redis(settings, client):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                                   "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}
    cache = caches["default"]
    cache.set("congso-probe", "ok", 30)
    assert cache.get("congso-probe") == "ok"
    from rest_framework.throttling import AnonRateThrottle

    class OnePerMinute(AnonRateThrottle):
        rate = "2/min"

    from django.test import RequestFactory
    from rest_framework.request import Request

    request = Request(RequestFactory().get("/", REMOTE_ADDR="10.9.8.7"))
    throttle = OnePerMinute()
    assert [throttle.allow_request(request, None) for _ in range(3)] == [True, True, False]
    assert any(key for key in cache._cache.get_client().scan_iter(f"*{settings.CACHES['default']['KEY_PREFIX']}*"))
