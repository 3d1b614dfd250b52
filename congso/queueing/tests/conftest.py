"""A service centre with two kiosk groups, three counters and three desk officers, on top of the engine's small
world (congso/dossiers/tests/conftest.py): A = Hộ tịch at counters 1 and 2, B = Đất đai at counters 2 and 3."""

from __future__ import annotations

import pytest

from congso.catalog.models import Field
from congso.dossiers.tests.conftest import build_world, local, make_user
from congso.org.choices import Role
from congso.queueing.models import Counter, ServiceGroup

PASSWORD = "mat-khau-dai-1"

__all__ = ["PASSWORD", "local"]


def build_queue(w):
    w.civil = Field.objects.get_or_create(name="Hộ tịch")[0]
    w.land = Field.objects.create(name="Đất đai")
    w.group_a = ServiceGroup.objects.create(agency=w.centre, prefix="A", name="Hộ tịch – Chứng thực", order=1)
    w.group_a.fields.add(w.civil)
    w.group_b = ServiceGroup.objects.create(agency=w.centre, prefix="B", name="Đất đai", order=2)
    w.group_b.fields.add(w.land)
    w.counter1 = Counter.objects.create(agency=w.centre, number=1, name="Hộ tịch")
    w.counter1.groups.add(w.group_a)
    w.counter2 = Counter.objects.create(agency=w.centre, number=2, name="Tổng hợp")
    w.counter2.groups.add(w.group_a, w.group_b)
    w.counter3 = Counter.objects.create(agency=w.centre, number=3, name="Đất đai")
    w.counter3.groups.add(w.group_b)
    w.desk2 = make_user("desk2", w.centre, Role.DESK_OFFICER)
    w.desk3 = make_user("desk3", w.centre, Role.SPECIALIST)
    for user in (w.desk, w.desk2, w.desk3, w.justice_desk, w.citizen, w.monitor):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return w


@pytest.fixture
def qw(db):
    return build_queue(build_world())


@pytest.fixture
def qw_tx(transactional_db):
    """The same world in a database whose transactions really commit (threaded tests); mark such tests
    `serialized_rollback=True` so the seeded calendar survives the flush that follows them."""
    from django.contrib.contenttypes.models import ContentType

    from congso.workcalendar.services import reset_cache

    reset_cache()
    # A transactional test before this one flushed the tables and the content types were created again with new
    # ids; the audit log must not use the ids cached before that.
    ContentType.objects.clear_cache()
    return build_queue(build_world())


@pytest.fixture(autouse=True)
def _english_pages(settings):
    """The tests read English texts: pages render in English when the request names no language."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
