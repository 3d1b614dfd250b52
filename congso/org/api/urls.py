from django.urls import path, re_path

from congso.org.api import views

app_name = "org-api"

# Agency identifiers contain dots (000.00.00.H48): the patterns accept anything but a slash.
urlpatterns = [
    path("units", views.AdminUnitListView.as_view(), name="unit-list"),
    re_path(r"^units/(?P<code>\d{2,5})/crosswalk$", views.CrosswalkView.as_view(), name="unit-crosswalk"),
    path("agencies", views.AgencyListView.as_view(), name="agency-list"),
    re_path(r"^agencies/(?P<code>[^/]+)$", views.AgencyDetailView.as_view(), name="agency-detail"),
    path("staff", views.StaffListView.as_view(), name="staff-list"),
    path("memberships", views.MembershipListView.as_view(), name="membership-list"),
]
