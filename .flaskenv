# Read by the flask command (python-dotenv), never by gunicorn: a checkout defaults to development,
# a production server to production.
FLASK_APP=wsgi
APP_ENV=development
