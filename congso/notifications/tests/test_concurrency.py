"""Several delivery workers at once never send one notification twice (PostgreSQL: SKIP LOCKED; SQLite: the
IMMEDIATE transaction). Real commits, real threads, a real SMTP server."""

import threading

import pytest
from django.db import connection

from congso.notifications.models import Notification
from congso.notifications.services import deliver_batch, enqueue

WORKERS = 3
NOTICES = 24


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_deliverers_never_send_the_same_notification_twice(smtp, settings):
    # Keep the after-commit task from delivering on its own: only the workers below deliver.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    for i in range(NOTICES):
        enqueue(template="step_due_soon", dedupe_key=f"concurrency:{i}", email=f"can-bo{i}@example.org",
                context={"code": f"HS-{i}", "procedure": "Thủ tục", "step": "Thẩm định",
                         "deadline": "2025-01-23T09:30:00+07:00", "holder": "Bình", "link": "https://congso.test"})
    smtp.mailbox.delay = 0.005  # a slow server, so that the workers overlap
    barrier = threading.Barrier(WORKERS)
    sent_by: list[int] = [0] * WORKERS
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            while True:
                run = deliver_batch(batch=4)
                sent_by[index] += run.sent
                if not run.claimed:
                    break
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert errors == []
    rows = list(Notification.objects.all())
    assert len(rows) == NOTICES and all(n.state == Notification.State.SENT and n.attempts == 1 for n in rows)
    assert sum(sent_by) == NOTICES
    received = smtp.mailbox.message_ids()
    assert received == {n.message_id: 1 for n in rows}  # each notification exactly once
