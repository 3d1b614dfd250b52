import pytest

from congso.workcalendar import services


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """Each test starts and ends with an empty calendar cache (a test's rollback sends no signal)."""
    services.reset_cache()
    yield
    services.reset_cache()
