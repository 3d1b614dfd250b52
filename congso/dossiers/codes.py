"""Dossier codes: `<receiving agency code>-<yymmdd>-<nnnn>`, a daily serial per receiving agency (local date).

The serial is taken inside the creating transaction with a row lock on the (agency, day) counter, so two desks
creating at the same moment get consecutive numbers, and a creation that rolls back gives its number back: codes are
unique and gap-free, and never reused.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from congso.dossiers.models import DossierCodeCounter


def format_code(agency_code: str, day: dt.date, serial: int) -> str:
    # Four digits as the national portal shows them; a busy centre past 9999 a day simply gets more digits.
    return f"{agency_code}-{day:%y%m%d}-{serial:04d}"


# One statement takes the next serial and locks the counter row until the transaction ends (PostgreSQL and SQLite ≥
# 3.35 both have INSERT … ON CONFLICT … DO UPDATE … RETURNING).
_NEXT_SERIAL = {
    "postgresql": (
        "INSERT INTO {t} (agency_id, day, last_serial) VALUES (%s, %s, 1) "
        "ON CONFLICT (agency_id, day) DO UPDATE SET last_serial = {t}.last_serial + 1 RETURNING last_serial"
    ),
    "sqlite": (
        "INSERT INTO {t} (agency_id, day, last_serial) VALUES (%s, %s, 1) "
        "ON CONFLICT (agency_id, day) DO UPDATE SET last_serial = last_serial + 1 RETURNING last_serial"
    ),
}


def allocate_code(agency, at: dt.datetime) -> str:
    """The next code for `agency` on the local date of `at`. Must run inside the creating transaction, as late in
    it as possible: the counter row stays locked until the transaction ends."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("allocate_code must run inside the transaction that creates the dossier")
    day = timezone.localtime(at).date()
    sql = _NEXT_SERIAL.get(connection.vendor)
    if sql is None:  # another database: insert if missing, then lock and bump
        DossierCodeCounter.objects.bulk_create([DossierCodeCounter(agency=agency, day=day)], ignore_conflicts=True)
        counter = DossierCodeCounter.objects.select_for_update().get(agency=agency, day=day)
        counter.last_serial += 1
        counter.save(update_fields=["last_serial"])
        return format_code(agency.code, day, counter.last_serial)
    with connection.cursor() as cursor:
        cursor.execute(sql.format(t=DossierCodeCounter._meta.db_table), [agency.pk, day])
        serial = cursor.fetchone()[0]
    return format_code(agency.code, day, serial)
