from congso.dossiers.tests.conftest import world  # noqa: F401 - fixture
