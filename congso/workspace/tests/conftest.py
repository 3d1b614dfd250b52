"""The engine's small test world (a province, a service centre, two departments and their staff) for the workspace."""

from congso.dossiers.tests.conftest import world, world_tx  # noqa: F401
