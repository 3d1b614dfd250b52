from django.contrib.auth.backends import ModelBackend


class UsernameOrEmailBackend(ModelBackend):
    """ModelBackend whose lookup (UserManager.get_by_natural_key) accepts a username or an e-mail address."""
