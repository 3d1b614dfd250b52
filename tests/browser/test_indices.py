"""The IOC dashboard draws its ECharts (gauge, groups, trend…) with the numbers, and the public index page shows its
server-rendered SVG charts without JavaScript."""

from __future__ import annotations

import pytest

from congso.dossiers.tests.conftest import build_world
from congso.indices.tests.conftest import build_commune, build_march
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _world():
    from congso.workcalendar.services import reset_cache

    reset_cache()
    world = build_world()
    world.d = build_march(world)
    world.commune = build_commune(world)
    world.monitor.set_password("mat-khau-thu-1")
    world.monitor.save()
    return world


def test_ioc_dashboard_and_public_page(page, shot):
    from django.core.cache import cache

    cache.clear()
    world = _world()
    log_in(page, "monitor", "mat-khau-thu-1")
    page.goto(f"/chi-so/ioc/?unit={world.province.code}&from=01/03/2025&to=31/03/2025")
    page.wait_for_selector("#ioc[data-loaded='1']")
    # every chart drew on a canvas
    for chart in ("gauge", "groups", "levels", "trend", "late-agency", "late-procedure", "due", "satisfaction"):
        assert page.locator(f"#chart-{chart} canvas").count() >= 1, chart
    total = page.inner_text("[data-field=total]").strip()
    assert total not in ("", "–", "…")
    assert "," in total  # Vietnamese decimal comma
    assert page.inner_text("[data-field=due_soon]").strip().isdigit()
    assert page.locator("table.index-table a[href*='/chi-so/ioc/chi-tiet/progress/']").count() == 1
    shot("ioc-dashboard")

    page.click("table.index-table a[href*='/chi-so/ioc/chi-tiet/progress/']")
    page.wait_for_url("**/chi-so/ioc/chi-tiet/progress/**")
    assert page.locator(f"a[href='/can-bo/ho-so/{world.d.d2.code}/']").count() == 1
    shot("drill-down-late")

    page.goto("/chi-so/?nam=2025")
    assert page.locator("svg.index-chart").count() == 2
    assert page.locator("svg.index-gauge").count() == 1
    assert page.locator("table.ranking tbody tr").count() >= 2
    assert "Tỉnh Thử" in page.inner_text("h2 >> nth=0")
    shot("public-index")
