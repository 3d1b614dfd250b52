"""Background task of online payments (django-tasks): the reconciliation sweep, for `congso beat`."""

from __future__ import annotations

from django_tasks import task


@task()
def reconcile_payments() -> dict:
    """Ask the gateway about open orders of the last 7 days and settle them (idempotent). Recorded as the sweep
    "payments_reconcile" when the beat's schedule lists it."""
    from congso.operations.services.schedule import run_sweep
    from congso.payments.services import reconcile

    return run_sweep("payments_reconcile", lambda: reconcile().as_sweep_result())
