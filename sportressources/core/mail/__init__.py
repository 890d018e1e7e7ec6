"""The one mail service of the site.

Services call ``send_mail``: the message is rendered at once, in the recipient's language, and
written to the outbox table (``OutgoingMail``) in the service's transaction, so that a rolled-back
action never sends an email about something that did not happen, and a mail server that is down
loses nothing. The rows leave after the commit (``delivery``; through a Celery worker when a
task broker is configured, ``tasks``); admins watch them (``admin``, /administration/courriels).
``MAIL_BACKEND`` chooses where they go: ``smtp`` in production, ``outbox`` (one ``.eml`` file per
message in ``instance/outbox/``, shown at /dev/outbox) in development and tests. Members are
told things through ``notifications.services.tell_member``, which calls ``send_mail`` with the
in-app notice.
"""

from sportressources.core.mail.compose import Mail, external_url, render_mail
from sportressources.core.mail.delivery import DeliveryReport, deliver_due, purge_outbox, send_mail
from sportressources.core.mail.models import MailStatus, OutgoingMail

__all__ = [
    "DeliveryReport",
    "Mail",
    "MailStatus",
    "OutgoingMail",
    "deliver_due",
    "external_url",
    "purge_outbox",
    "render_mail",
    "send_mail",
]
