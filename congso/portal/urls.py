"""The public portal's URLs, mounted at the site root (short Vietnamese paths)."""

from django.urls import path, re_path

from congso.portal.views import account, mine, public, store, submit

app_name = "portal"

urlpatterns = [
    path("", public.home, name="home"),
    path("thu-tuc/", public.search, name="search"),
    path("thu-tuc/<str:code>/", public.procedure, name="procedure"),
    path("thu-tuc/<str:code>/mau/<int:pk>/", public.component_template, name="component-template"),
    path("tra-cuu/", public.lookup, name="lookup"),
    # The QR code printed on receipts points here (with or without the trailing slash).
    re_path(r"^tra-cuu/(?P<code>[^/]{1,64})/?$", public.lookup, name="lookup-code"),
    # Accounts
    path("dang-ky/", account.register, name="register"),
    path("dang-ky/da-gui/", account.register_sent, name="register-sent"),
    path("dang-ky/gui-lai/", account.resend, name="resend"),
    path("dang-ky/xac-thuc/<str:uidb64>/<str:token>/", account.verify_email, name="verify-email"),
    path("tai-khoan/", account.profile, name="profile"),
    path("tai-khoan/mat-khau/", account.PasswordChangeView.as_view(), name="password-change"),
    path("sau-dang-nhap/", account.after_login, name="after-login"),
    # Online submission and drafts
    path("nop-ho-so/<str:code>/", submit.start, name="submit"),
    path("ban-nhap/<int:pk>/", submit.draft, name="draft"),
    path("ban-nhap/<int:pk>/xoa/", submit.delete_draft, name="draft-delete"),
    path("ban-nhap/<int:pk>/tep/<int:file_id>/", submit.draft_file, name="draft-file"),
    # My dossiers
    path("ho-so-cua-toi/", mine.my_dossiers, name="my-dossiers"),
    path("ho-so-cua-toi/<str:code>/", mine.dossier_detail, name="dossier"),
    path("ho-so-cua-toi/<str:code>/tep/<int:file_id>/", mine.dossier_file, name="dossier-file"),
    path("ho-so-cua-toi/<str:code>/bo-sung/", mine.supply, name="supply"),
    path("ho-so-cua-toi/<str:code>/rut/", mine.withdraw, name="withdraw"),
    path("ho-so-cua-toi/<str:code>/danh-gia/", mine.rate, name="rate"),
    # Data store
    path("kho-du-lieu/", store.documents, name="data-store"),
    path("kho-du-lieu/<int:pk>/tai/", store.document_file, name="data-store-file"),
]
