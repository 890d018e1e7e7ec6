"""The admins' page of the outbox: backlog, messages being retried or given up, « Réessayer »."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from sportressources.core.db import utcnow
from sportressources.core.mail.admin import outbox_overview, retry_given_up_mail
from sportressources.core.security import role_required
from sportressources.core.web import act
from sportressources.moderation.policies import can_administer
from sportressources.moderation.views import bp


@bp.route("/administration/courriels", endpoint="outbox")
@role_required(can_administer)
def outbox_page():
    overview = outbox_overview(current_user)
    return render_template("moderation/outbox.html", overview=overview, now=utcnow())


@bp.post("/administration/courriels/<int:mail_id>/reessayer", endpoint="retry_mail")
@role_required(can_administer)
def retry_mail(mail_id: int):
    back = url_for("moderation.outbox")
    result = act(lambda: retry_given_up_mail(current_user, mail_id), back=back)
    if result:
        flash(
            _(
                "Le courriel à %(recipient)s repart : il sera envoyé dans la minute.",
                recipient=result.value.recipient,
            ),
            "success",
        )
    return redirect(back)
