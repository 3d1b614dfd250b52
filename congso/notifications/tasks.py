"""Background tasks of the outbox (django-tasks)."""

from __future__ import annotations

from django_tasks import task

# A run stops after this many full batches, so one task never holds a worker for long; the periodic sweep and the
# next task pick up whatever is left.
MAX_ROUNDS = 20


@task()
def deliver_outbox() -> int:
    """Deliver what is due now, batch after batch while batches come back full. Returns how many were sent.

    Enqueued after every transaction that queued notifications (so delivery starts at once); `congso beat` calls
    `congso.notifications.services.deliver_due` periodically for the retries."""
    from congso.notifications.services import batch_size, deliver_batch

    size = batch_size()
    sent = 0
    for _round in range(MAX_ROUNDS):
        run = deliver_batch(batch=size)
        sent += run.sent
        if run.claimed < size:
            break
    return sent
