"""Ticket numbers: a daily serial per agency and prefix letter, taken the way dossier codes are
(congso/dossiers/codes.py): one upsert statement that bumps the (agency, day, prefix) row and keeps it locked until
the transaction ends. Two kiosks at the same moment get consecutive numbers; a ticket that rolls back gives its
number back, so numbers are unique and gap-free. A new day starts a new row, so numbering restarts at 1.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from congso.queueing.models import TicketSequence

_NEXT_NUMBER = {
    "postgresql": (
        "INSERT INTO {t} (agency_id, day, prefix, last_number) VALUES (%s, %s, %s, 1) "
        "ON CONFLICT (agency_id, day, prefix) DO UPDATE SET last_number = {t}.last_number + 1 RETURNING last_number"
    ),
    "sqlite": (
        "INSERT INTO {t} (agency_id, day, prefix, last_number) VALUES (%s, %s, %s, 1) "
        "ON CONFLICT (agency_id, day, prefix) DO UPDATE SET last_number = last_number + 1 RETURNING last_number"
    ),
}


def allocate_number(agency_id: int, day: dt.date, prefix: str) -> int:
    """The next number for (agency, day, prefix). Must run inside the transaction that creates the ticket."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("allocate_number must run inside the transaction that creates the ticket")
    sql = _NEXT_NUMBER.get(connection.vendor)
    if sql is None:  # another database: insert if missing, then lock and bump
        TicketSequence.objects.bulk_create(
            [TicketSequence(agency_id=agency_id, day=day, prefix=prefix)], ignore_conflicts=True
        )
        sequence = TicketSequence.objects.select_for_update().get(agency_id=agency_id, day=day, prefix=prefix)
        sequence.last_number += 1
        sequence.save(update_fields=["last_number"])
        return sequence.last_number
    with connection.cursor() as cursor:
        cursor.execute(sql.format(t=TicketSequence._meta.db_table), [agency_id, day, prefix])
        return cursor.fetchone()[0]
