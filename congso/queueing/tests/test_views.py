"""The kiosk, the ticket page, the display and the counter page: what people see, who may see it, hostile input."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from congso.catalog.models import Field
from congso.queueing import services
from congso.queueing.choices import TicketStatus
from congso.queueing.models import Counter, ServiceGroup, Ticket

HOSTILE = "<script>alert('x')</script>"


def kiosk_url(qw):
    return reverse("queueing:kiosk", args=[qw.centre.code])


def counter_url(counter, action=None):
    if action:
        return reverse("queueing:counter-action", args=[counter.pk, action])
    return reverse("queueing:counter", args=[counter.pk])


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_kiosk_lists_the_groups_as_buttons(qw, client):
    response = client.get(kiosk_url(qw))
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<button type="submit" name="group" value="A"', html)
    assert re.search(r'<button type="submit" name="group" value="B"', html)
    assert "Đất đai" in html and 'name="csrfmiddlewaretoken"' in html


def test_taking_a_ticket_without_javascript_redirects_to_the_ticket(qw, client):
    services.take_ticket(qw.centre, qw.group_a)
    response = client.post(kiosk_url(qw), {"group": "A", "phone": ""})
    ticket = Ticket.objects.get(number=2)
    assert response.status_code == 302
    assert response["Location"] == reverse("queueing:ticket", args=[qw.centre.code, ticket.token]) + "?kiosk=1"
    page = client.get(response["Location"])
    html = page.content.decode()
    assert 'data-number="A002"' in html
    assert 'data-ahead="1"' in html  # A001 waits ahead
    assert timezone.localtime(ticket.taken_at).strftime("%d/%m/%Y %H:%M") in html
    assert qw.group_a.name in html


def test_ticket_time_is_shown_in_vietnam_time(qw, client):
    from congso.queueing.tests.conftest import local

    ticket = services.take_ticket(qw.centre, qw.group_a, at=local(2025, 1, 20, 7, 5))
    html = client.get(reverse("queueing:ticket", args=[qw.centre.code, ticket.token])).content.decode()
    assert "20/01/2025 07:05" in html


def test_kiosk_errors_change_nothing(qw, client):
    response = client.post(kiosk_url(qw), {"group": "Z"})
    assert response.status_code == 400
    response = client.post(kiosk_url(qw), {"group": "A", "phone": HOSTILE})
    assert response.status_code == 400
    assert HOSTILE not in response.content.decode()
    assert not Ticket.objects.exists()


def test_kiosk_rate_limit_per_address(qw, settings):
    settings.CONGSO_QUEUE_TAKE_LIMIT = 3
    script = Client(REMOTE_ADDR="203.0.113.7")
    statuses = [script.post(kiosk_url(qw), {"group": "A"}).status_code for _ in range(5)]
    assert statuses == [302, 302, 302, 429, 429]
    assert Ticket.objects.count() == 3
    # Another address is not affected; the centre's own kiosks are not limited.
    assert Client(REMOTE_ADDR="203.0.113.8").post(kiosk_url(qw), {"group": "A"}).status_code == 302
    settings.CONGSO_QUEUE_KIOSK_NETWORKS = ["10.0.0.0/24", "not a network"]
    kiosk = Client(REMOTE_ADDR="10.0.0.5")
    assert [kiosk.post(kiosk_url(qw), {"group": "A"}).status_code for _ in range(5)] == [302] * 5


def test_kiosk_form_needs_the_csrf_token(qw):
    client = Client(enforce_csrf_checks=True)
    assert client.post(kiosk_url(qw), {"group": "A"}).status_code == 403
    assert not Ticket.objects.exists()


def test_unknown_agency_and_ticket_are_404(qw, client):
    import uuid

    assert client.get("/xep-hang/000.00.99.H97/").status_code == 404
    assert client.get(reverse("queueing:ticket", args=[qw.centre.code, uuid.uuid4()])).status_code == 404
    ticket = services.take_ticket(qw.centre, qw.group_a)
    # A ticket is reachable only under its own agency.
    assert client.get(reverse("queueing:ticket", args=[qw.justice.code, ticket.token])).status_code == 404


def test_hostile_names_are_shown_escaped_everywhere(qw, client):
    field = Field.objects.create(name=HOSTILE)
    group = ServiceGroup.objects.create(agency=qw.centre, prefix="X", name=HOSTILE, order=9)
    group.fields.add(field)
    Counter.objects.filter(pk=qw.counter1.pk).update(name=HOSTILE)
    qw.counter1.groups.add(group)
    ticket = services.take_ticket(qw.centre, field)
    services.open_counter(qw.desk, qw.counter1)
    services.call_next(qw.counter1, qw.desk)
    escaped = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"
    pages = [
        client.get(kiosk_url(qw)),
        client.get(reverse("queueing:ticket", args=[qw.centre.code, ticket.token])),
        client.get(reverse("queueing:display", args=[qw.centre.code])),
        client.get(reverse("queueing:display-board", args=[qw.centre.code])),
        logged_in(qw.desk).get(counter_url(qw.counter1)),
    ]
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        assert HOSTILE not in html
        assert escaped in html


def test_display_board_answers_204_when_nothing_changed_and_announces_a_new_call(qw, client):
    url = reverse("queueing:display-board", args=[qw.centre.code])
    first = client.get(url)
    html = first.content.decode()
    stamp = re.search(r"v=(\w+)&amp;last=([\w.]*)", html)
    assert client.get(f"{url}?v={stamp.group(1)}&last={stamp.group(2)}").status_code == 204
    services.take_ticket(qw.centre, qw.group_a)
    services.open_counter(qw.desk, qw.counter1)
    services.call_next(qw.counter1, qw.desk)
    changed = client.get(f"{url}?v={stamp.group(1)}&last={stamp.group(2)}")
    html = changed.content.decode()
    assert changed.status_code == 200
    assert 'hx-swap-oob="innerHTML"' in html and "Number A001, please come to counter 1" in html
    assert "q-fresh" in html
    # The same call polled again: no news; after a ticket is taken: the board changes but nothing is announced.
    stamp = re.search(r"v=(\w+)&amp;last=([\w.]*)", html)
    assert client.get(f"{url}?v={stamp.group(1)}&last={stamp.group(2)}").status_code == 204
    services.take_ticket(qw.centre, qw.group_b)
    again = client.get(f"{url}?v={stamp.group(1)}&last={stamp.group(2)}").content.decode()
    assert "hx-swap-oob" not in again and "q-fresh" not in again and "A001" in again
    # A recall is announced again.
    services.recall(qw.counter1, qw.desk)
    stamp = re.search(r"v=(\w+)&amp;last=([\w.]*)", again)
    assert "hx-swap-oob" in client.get(f"{url}?v={stamp.group(1)}&last={stamp.group(2)}").content.decode()


def test_display_page_has_a_live_region_and_polls(qw, client):
    html = client.get(reverse("queueing:display", args=[qw.centre.code])).content.decode()
    assert 'aria-live="assertive"' in html and 'id="announce"' in html
    assert 'hx-trigger="every 2s"' in html and "htmx.min.js" in html
    assert '<meta http-equiv="refresh" content="10">' in html  # inside <noscript>


# --- Staff pages ----------------------------------------------------------------------------------------------------

def test_counter_pages_need_a_login(qw, client):
    for url in (reverse("queueing:counters"), counter_url(qw.counter1)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.post(counter_url(qw.counter1, "mo")).status_code == 302
    assert not Counter.objects.get(pk=qw.counter1.pk).is_open


@pytest.mark.parametrize("who", ["justice_desk", "monitor", "citizen"])
def test_outsiders_get_404(qw, who):
    client = logged_in(getattr(qw, who))
    assert client.get(counter_url(qw.counter1)).status_code == 404
    assert client.post(counter_url(qw.counter1, "mo")).status_code == 404
    assert client.get(reverse("queueing:counter-waiting", args=[qw.counter1.pk])).status_code == 404
    assert "Hộ tịch" not in client.get(reverse("queueing:counters")).content.decode()
    assert not Counter.objects.get(pk=qw.counter1.pk).is_open


def test_counter_list_shows_my_agencys_counters(qw):
    html = logged_in(qw.desk).get(reverse("queueing:counters")).content.decode()
    for counter in (qw.counter1, qw.counter2, qw.counter3):
        assert counter_url(counter) in html


def test_the_officer_works_through_the_counter_page(qw):
    services.take_ticket(qw.centre, qw.group_a)
    services.take_ticket(qw.centre, qw.group_a)
    client = logged_in(qw.desk)
    page = client.get(counter_url(qw.counter1)).content.decode()
    assert "Open the counter" in page and "2 tickets waiting for this counter." in page
    assert client.get(counter_url(qw.counter1, "goi-tiep")).status_code == 405  # actions are POSTs only
    assert client.post(counter_url(qw.counter1, "goi-tiep"), follow=True).content.decode().count(
        "This counter is closed; open it first.") == 1
    client.post(counter_url(qw.counter1, "mo"))
    response = client.post(counter_url(qw.counter1, "goi-tiep"), follow=True)
    assert "Calling number A001." in response.content.decode()
    assert 'data-number="A001"' in response.content.decode()
    client.post(counter_url(qw.counter1, "goi-lai"))
    client.post(counter_url(qw.counter1, "bat-dau"))
    client.post(counter_url(qw.counter1, "xong"))
    client.post(counter_url(qw.counter1, "goi-tiep"))
    client.post(counter_url(qw.counter1, "vang-mat"))
    statuses = list(Ticket.objects.order_by("number").values_list("status", "call_count"))
    assert statuses == [(TicketStatus.DONE, 2), (TicketStatus.NO_SHOW, 1)]
    client.post(counter_url(qw.counter1, "dong"))
    assert not Counter.objects.get(pk=qw.counter1.pk).is_open
    assert client.post(counter_url(qw.counter1, "nonsense")).status_code == 404


def test_counter_actions_need_the_csrf_token(qw):
    client = Client(enforce_csrf_checks=True)
    client.force_login(qw.desk)
    assert client.post(counter_url(qw.counter1, "mo")).status_code == 403
    assert not Counter.objects.get(pk=qw.counter1.pk).is_open


def test_another_officer_sees_the_counter_but_cannot_work_it(qw):
    services.take_ticket(qw.centre, qw.group_a)
    logged_in(qw.desk).post(counter_url(qw.counter1, "mo"))
    other = logged_in(qw.desk2)
    page = other.get(counter_url(qw.counter1)).content.decode()
    assert "Another officer is at this counter." in page and "Call the next number" not in page
    response = other.post(counter_url(qw.counter1, "goi-tiep"), follow=True)
    assert "Another officer is at this counter." in response.content.decode()
    assert Ticket.objects.get().status == TicketStatus.WAITING


def test_transfer_and_cancel_from_the_counter_page(qw):
    a1 = services.take_ticket(qw.centre, qw.group_a)
    a2 = services.take_ticket(qw.centre, qw.group_a)
    client = logged_in(qw.desk)
    client.post(counter_url(qw.counter1, "mo"))
    client.post(counter_url(qw.counter1, "goi-tiep"))
    url = reverse("queueing:ticket-action", args=[qw.counter1.pk, a1.pk, "chuyen"])
    bad = client.post(url, {"group": "999999"}, follow=True)
    assert "Choose a group of this agency." in bad.content.decode()
    client.post(url, {"group": qw.group_b.pk})
    assert Ticket.objects.get(pk=a1.pk).group == qw.group_b
    client.post(reverse("queueing:ticket-action", args=[qw.counter1.pk, a2.pk, "huy"]))
    assert Ticket.objects.get(pk=a2.pk).status == TicketStatus.CANCELLED
    # A ticket of another agency is not reachable through this counter.
    foreign_group = ServiceGroup.objects.create(agency=qw.justice, prefix="J", name="Tư pháp")
    foreign = services.take_ticket(qw.justice, foreign_group)
    response = client.post(reverse("queueing:ticket-action", args=[qw.counter1.pk, foreign.pk, "huy"]))
    assert response.status_code == 404
    assert Ticket.objects.get(pk=foreign.pk).status == TicketStatus.WAITING


def test_the_phone_box_is_offered_only_where_texts_are_sent(qw, client, settings):
    assert 'name="phone"' not in client.get(kiosk_url(qw)).content.decode()
    settings.CONGSO_NOTIFICATION_CHANNELS = {**settings.CONGSO_NOTIFICATION_CHANNELS,
                                             "sms": "congso.notifications.channels.EmailChannel"}
    assert 'name="phone"' in client.get(kiosk_url(qw)).content.decode()


def test_query_counts_do_not_grow_with_the_queue(qw, client, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def fill(n):
        for minute in range(n):
            services.take_ticket(qw.centre, qw.group_a if minute % 2 else qw.group_b)

    def count(c, url):
        with CaptureQueriesContext(connection) as queries:
            assert c.get(url).status_code == 200
        return len(queries)

    fill(6)
    for counter, officer in ((qw.counter1, qw.desk), (qw.counter2, qw.desk2), (qw.counter3, qw.desk3)):
        services.open_counter(officer, counter)
        services.call_next(counter, officer)
    board = reverse("queueing:display-board", args=[qw.centre.code])
    with django_assert_max_num_queries(3):  # agency, latest calls with counters, groups with waiting counts
        assert client.get(board).status_code == 200
    staff = logged_in(qw.desk)
    staff.get(counter_url(qw.counter1))  # warm the session
    small = (count(staff, counter_url(qw.counter1)), count(client, kiosk_url(qw)),
             count(staff, reverse("queueing:counters")))
    fill(20)
    services.mark_served(qw.counter2, qw.desk2)
    services.call_next(qw.counter2, qw.desk2)
    big = (count(staff, counter_url(qw.counter1)), count(client, kiosk_url(qw)),
           count(staff, reverse("queueing:counters")))
    assert small == big


def test_a_supervisor_can_close_a_counter_from_its_page(qw):
    from congso.dossiers.tests.conftest import make_user
    from congso.org.choices import Role

    chief = logged_in(make_user("chief", qw.centre, Role.AGENCY_LEADER))
    logged_in(qw.desk).post(counter_url(qw.counter1, "mo"))
    assert counter_url(qw.counter1, "dong") in chief.get(counter_url(qw.counter1)).content.decode()
    assert counter_url(qw.counter1, "dong") not in logged_in(qw.desk2).get(counter_url(qw.counter1)).content.decode()
    chief.post(counter_url(qw.counter1, "dong"))
    assert not Counter.objects.get(pk=qw.counter1.pk).is_open
