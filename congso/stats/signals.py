"""Receivers that feed the aggregates (connected in StatsConfig.ready)."""

from __future__ import annotations

from django.db import transaction

from congso.stats import maintain


def dossier_event(sender, event, dossier, **kwargs):
    """Inside the action's transaction: the aggregates commit or roll back with the action."""
    maintain.on_event(event, dossier)


def rating_saved(sender, instance, **kwargs):
    with transaction.atomic():
        maintain.resync([instance.dossier_id])


def feedback_changed(sender, instance, **kwargs):
    if instance.dossier_id and (instance.is_complaint or not kwargs.get("created", False)):
        with transaction.atomic():
            maintain.resync([instance.dossier_id])


def dossier_deleted(sender, instance, **kwargs):
    """Dossiers are not deleted in normal use (the log is kept); when one is (tests, a purge), take its
    contribution back."""
    maintain.resync([instance.pk])


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    from congso.dossiers.models import Dossier
    from congso.dossiers.signals import event_recorded
    from congso.feedback.models import Feedback
    from congso.portal.models import ServiceRating

    event_recorded.connect(dossier_event, dispatch_uid="stats.dossier_event")
    post_save.connect(rating_saved, sender=ServiceRating, dispatch_uid="stats.rating_saved")
    post_delete.connect(rating_saved, sender=ServiceRating, dispatch_uid="stats.rating_deleted")
    post_save.connect(feedback_changed, sender=Feedback, dispatch_uid="stats.feedback_saved")
    post_delete.connect(feedback_changed, sender=Feedback, dispatch_uid="stats.feedback_deleted")
    post_delete.connect(dossier_deleted, sender=Dossier, dispatch_uid="stats.dossier_deleted")


def disconnect() -> None:
    """For the benchmark's baseline (actions without aggregates) and nothing else."""
    from congso.dossiers.signals import event_recorded

    event_recorded.disconnect(dispatch_uid="stats.dossier_event")
