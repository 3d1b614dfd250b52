from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from congso.queueing.choices import TicketStatus
from congso.queueing.models import Ticket


class GroupSerializer(serializers.Serializer):
    prefix = serializers.CharField(help_text="The group's prefix letter: ticket numbers start with it.")
    name = serializers.CharField()
    fields = serializers.ListField(child=serializers.CharField(), help_text="Names of the catalogue fields served.")
    waiting = serializers.IntegerField(help_text="Tickets waiting in this group now.")


class CallSerializer(serializers.Serializer):
    number = serializers.CharField(help_text='The ticket number as displayed, e.g. "A012".')
    counter_number = serializers.IntegerField()
    counter_name = serializers.CharField()
    called_at = serializers.DateTimeField(help_text="When it was (last) called.")
    key = serializers.CharField(help_text="Changes each time the ticket is called again: announce when it changes.")
    fresh = serializers.BooleanField(help_text="Called within the last 15 seconds.")


class WaitingSerializer(serializers.Serializer):
    prefix = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField()


class BoardSerializer(serializers.Serializer):
    agency = serializers.CharField(help_text="The agency's code.")
    stamp = serializers.CharField(help_text="Changes whenever anything on the board changes.")
    calls = CallSerializer(many=True, help_text="The latest calls of the day, newest first.")
    waiting = WaitingSerializer(many=True)


class TakeTicketSerializer(serializers.Serializer):
    group = serializers.RegexField(r"^[A-Za-z]$", help_text="The prefix letter of the group (see the groups list).",
                                   error_messages={"invalid": _("Give the group's prefix letter.")})
    phone = serializers.CharField(required=False, allow_blank=True, max_length=20,
                                  help_text="Optional Vietnamese phone number for a text message when called.")


class TicketSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="display_number", help_text='As displayed, e.g. "A012".')
    group = serializers.CharField(source="group.prefix")
    group_name = serializers.CharField(source="group.name")
    status = serializers.ChoiceField(choices=TicketStatus.choices)
    counter_number = serializers.IntegerField(source="counter.number", allow_null=True, default=None)
    waiting_ahead = serializers.SerializerMethodField(help_text="Waiting tickets of the same group ahead of this one.")
    url = serializers.SerializerMethodField(help_text="The ticket's public page (printable).")

    class Meta:
        model = Ticket
        fields = ["number", "group", "group_name", "status", "day", "taken_at", "called_at", "counter_number",
                  "waiting_ahead", "token", "url"]

    def get_waiting_ahead(self, ticket) -> int:
        if ticket.status != TicketStatus.WAITING:
            return 0
        return Ticket.objects.ahead_of(ticket).count()

    def get_url(self, ticket) -> str:
        path = reverse("queueing:ticket", args=[ticket.agency.code, ticket.token])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path
