"""WSGI entry point: ``gunicorn wsgi:app`` in production, ``flask --app wsgi`` for the CLI, and
``celery -A wsgi:celery worker`` / ``celery -A wsgi:celery beat`` for the background tasks."""

from sportressources import create_app

app = create_app()
celery = app.extensions["celery"]
