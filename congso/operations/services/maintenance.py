"""The other periodic sweeps: outbox delivery, the timeliness refresh, the daily purge."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from django.utils.module_loading import import_string

from congso.operations import conf

logger = logging.getLogger(__name__)

#: One delivery sweep sends at most DELIVERY_ROUNDS × DELIVERY_BATCH messages; the next minute takes the rest.
DELIVERY_BATCH = 100
DELIVERY_ROUNDS = 10


def deliver_outbox() -> dict:
    """Deliver the outbox messages that are due (first attempts and retries) through
    `congso.notifications.services.deliver_due`, when the notifications app provides it."""
    from congso.notifications import services

    deliver_due = getattr(services, "deliver_due", None)
    if deliver_due is None:
        return {"count": 0, "skipped": "congso.notifications.services.deliver_due is not available"}
    sent = 0
    for _round in range(DELIVERY_ROUNDS):
        try:
            result = deliver_due(batch=DELIVERY_BATCH)
        except TypeError:  # a deliver_due without a batch size
            return _as_result(deliver_due())
        if not isinstance(result, int) or isinstance(result, bool):
            return _as_result(result)
        sent += result
        if result < DELIVERY_BATCH:  # the backlog is empty (or the rest failed and waits for its retry)
            break
    return {"count": sent, "sent": sent}


def refresh_open_timeliness(as_of: dt.datetime | None = None) -> dict:
    """Re-judge every open dossier (`congso.dossiers.services.sweeps.refresh_timeliness`)."""
    from congso.dossiers.services.sweeps import refresh_timeliness

    return {"count": refresh_timeliness(as_of)}


def daily_purge(now: dt.datetime | None = None) -> dict:
    """Delete finished task results older than `CONGSO_TASK_RESULTS_KEEP_DAYS`, then run the hooks listed in
    `CONGSO_PURGE_HOOKS` (dotted paths of callables without arguments). A failing hook is reported, the others run."""
    now = now or timezone.now()
    result: dict = {"count": 0}
    keep = conf.task_results_keep_days()
    if keep > 0:
        try:
            from django_tasks_db.models import DBTaskResult
        except ImportError:  # pragma: no cover - the database backend is always installed in congso
            DBTaskResult = None
        if DBTaskResult is not None:
            deleted, _per_model = (DBTaskResult.objects.finished()
                                   .filter(finished_at__lt=now - dt.timedelta(days=keep)).delete())
            result["task_results"] = deleted
            result["count"] += deleted
    errors = []
    for path in conf.purge_hooks():
        try:
            outcome = _as_result(import_string(path)())
        except Exception as exc:  # noqa: BLE001 - one bad hook must not stop the others
            logger.exception("purge hook %s failed", path)
            errors.append(f"{path}: {type(exc).__name__}: {exc}")
            continue
        result[path] = outcome
        result["count"] += int(outcome.get("count") or 0)
    if errors:
        result["errors"] = errors
    return result


def _as_result(value) -> dict:
    """A sweep's return value as a JSON dict with a `count`."""
    if isinstance(value, dict):
        out = {str(k): v for k, v in value.items()}
        if "count" not in out:
            numbers = [v for v in out.values() if isinstance(v, int) and not isinstance(v, bool)]
            out["count"] = sum(numbers)
        return out
    if isinstance(value, bool) or value is None:
        return {"count": 0}
    if isinstance(value, int):
        return {"count": value}
    if isinstance(value, list | tuple):
        return {"count": len(value)}
    return {"count": 0, "value": str(value)}
