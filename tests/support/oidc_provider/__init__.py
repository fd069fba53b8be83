"""A real OpenID Connect provider for the tests: a small Django project on django-oauth-toolkit,
run in a subprocess by tests/support/oidc.py (see `serve`)."""
