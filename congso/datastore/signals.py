"""Receivers: a completed dossier's electronic results go into the applicant's data store."""

from __future__ import annotations

from django.dispatch import receiver

from congso.dossiers.choices import Action
from congso.dossiers.signals import event_recorded


@receiver(event_recorded, dispatch_uid="datastore.push_results_on_complete")
def push_results_on_complete(sender, event, dossier, **kwargs):
    """On `complete` (inside its transaction): insert the store's rows, so they commit or roll back with it."""
    if event.action != Action.COMPLETE:
        return
    from congso.datastore.services import push_results_of

    push_results_of(dossier, actor=event.actor)
