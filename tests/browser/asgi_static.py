"""The application as the ASGI live server (daphne, see conftest.asgi_site) serves it: with the
static files, as Django's own live server serves them (production serves them with WhiteNoise
after collectstatic, which a test run has not done)."""

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

from samverkan.asgi import application as samverkan_application

application = ASGIStaticFilesHandler(samverkan_application)
