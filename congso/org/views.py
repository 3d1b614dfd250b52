from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import ListView

from congso.core.text import search_terms
from congso.org.models import Agency


class AgencyListView(LoginRequiredMixin, ListView):
    """The agencies the user may see, with the units they serve; searchable without diacritics."""

    template_name = "org/agency_list.html"
    paginate_by = 50

    def get_queryset(self):
        qs = Agency.objects.for_user(self.request.user).select_related("admin_unit", "parent")
        for term in search_terms(self.request.GET.get("q")):
            qs = qs.filter(search_text__contains=term)
        return qs.order_by("code")
