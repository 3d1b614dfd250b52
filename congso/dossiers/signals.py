"""Signals of the dossier engine, for cross-cutting work (notifications, statistics) — house rule 1.

`event_recorded` is sent INSIDE the action's transaction, right after its processing-log row is written, so a
receiver that writes rows (an outbox, an aggregate) commits or rolls back together with the action. Receivers must
be quick and must not call external systems: enqueue work for after the commit instead.
"""

from django.dispatch import Signal

# kwargs: event (ProcessingEvent), dossier (Dossier, already updated in memory)
event_recorded = Signal()
