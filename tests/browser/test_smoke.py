def test_home(page, shot):
    page.goto("/healthz")
    assert "ok" in page.content()
    shot("health")
