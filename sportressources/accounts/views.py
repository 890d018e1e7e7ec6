from __future__ import annotations

import json
import secrets

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from sportressources.accounts import personal_data as rights
from sportressources.accounts import profile as profiles
from sportressources.accounts import restrictions, services, sessions, throttle
from sportressources.accounts.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    DeleteAccountForm,
    EmailForm,
    LoginForm,
    ProfileForm,
    RegistrationForm,
    ResetPasswordForm,
    SignOutEverywhereForm,
)
from sportressources.accounts.restrictions import AccountRestricted
from sportressources.core.errors import Conflict
from sportressources.core.forms import grouped_choices
from sportressources.core.params import text_param
from sportressources.core.tokens import InvalidToken
from sportressources.core.web import act, form_status, limit, safe_next
from sportressources.extensions import limiter

bp = Blueprint("accounts", __name__)


# What survives a sign-in or sign-out: the chosen language, and Flask-Login's note that the
# "remember me" cookie must be deleted from the response (set by logout_user).
_SURVIVING_SESSION_KEYS = ("locale", "_remember")


def _restart_session() -> None:
    kept = {key: session[key] for key in _SURVIVING_SESSION_KEYS if key in session}
    session.clear()
    session.update(kept)


def _offer_communes(form) -> None:
    form.home_commune.choices = grouped_choices(
        profiles.home_commune_options(),
        blank=_("— Choisissez votre commune —"),
        extra=[(services.OUTSIDE_TERRITORY, _("Hors du territoire de l’Artois"))],
    )


def _sign_in(user, remember: bool) -> None:
    """Inside ``act``: opens this device's session, whose token the cookies carry."""
    _restart_session()
    sessions.start_session(user, remember, request.headers.get("User-Agent"))
    login_user(user, remember=remember)


# --- registration ---------------------------------------------------------------------------------


@bp.route("/compte/inscription", methods=["GET", "POST"])
@limiter.limit(limit("RATELIMIT_REGISTER"), methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"))
    form = RegistrationForm()
    _offer_communes(form)
    if request.method == "GET":
        form.stamp()
        form.next.data = safe_next(text_param(request.args, "next", max_length=2000), "")
    elif form.validate_on_submit():
        data = services.Registration(
            email=form.email.data,
            display_name=form.display_name.data,
            password=form.password.data,
            home_commune=form.home_commune.data,
            locale=session.get("locale") or current_app.config["BABEL_DEFAULT_LOCALE"],
            next_path=safe_next(form.next.data, ""),
            browser=session.setdefault("registering", secrets.token_urlsafe(16)),
        )
        if act(lambda: services.register_user(data), form=form):
            session["registered_email"] = form.email.data.strip()
            return redirect(url_for("accounts.registered"))
    return render_template("accounts/register.html", form=form), form_status(form)


@bp.route("/compte/inscription/merci")
def registered():
    form = EmailForm(email=session.get("registered_email", ""))
    return render_template("accounts/registered.html", form=form)


def _confirm_and_sign_in(token: str) -> tuple[services.Confirmation, bool]:
    """Inside ``act``: confirms the address and, the first time only, in the browser that
    registered and if nobody is signed in there, signs the new member in (a link forwarded to
    someone else never signs them in to this account). Returns whether it did."""
    confirmation = services.confirm_email(token)
    browser = session.get("registering")
    if (
        not confirmation.first
        or current_user.is_authenticated
        or not browser
        or not secrets.compare_digest(browser, confirmation.browser)
    ):
        return confirmation, False
    if not restrictions.sign_in_allowed(confirmation.user):
        return confirmation, False  # the sign-in page will say why
    _sign_in(confirmation.user, remember=False)
    return confirmation, True


@bp.route("/compte/confirmer/<token>")
def confirm_email(token: str):
    done = act(lambda: _confirm_and_sign_in(token), expect=InvalidToken)
    if not done:
        return render_template("accounts/link_invalid.html", error=done.error, kind="confirm"), 400
    confirmation, signed_in = done.value
    back = safe_next(confirmation.next_path, "")
    if signed_in:
        flash(_("Votre adresse e-mail est confirmée. Bienvenue, vous êtes connecté."), "success")
        return redirect(back or url_for("pages.home"))
    flash(_("Votre adresse e-mail est confirmée. Vous pouvez vous connecter."), "success")
    if current_user.is_authenticated and current_user.id == confirmation.user.id:
        return redirect(back or url_for("accounts.account"))
    return redirect(url_for("accounts.login", next=back or None))


@bp.route("/compte/renvoyer-confirmation", methods=["GET", "POST"])
@limiter.limit(limit("RATELIMIT_EMAIL_RESEND"), methods=["POST"])
def resend_confirmation():
    form = EmailForm()
    if form.validate_on_submit() and act(lambda: services.resend_confirmation(form.email.data)):
        flash(
            _(
                "Si un compte non confirmé utilise cette adresse, un nouveau lien vient d’y être "
                "envoyé."
            ),
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/resend_confirmation.html", form=form), form_status(form)


# --- signing in and out ---------------------------------------------------------------------------


@bp.route("/compte/connexion", methods=["GET", "POST"])
@limiter.limit(limit("RATELIMIT_LOGIN"), methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(
            safe_next(
                text_param(request.args, "next", max_length=2000), url_for("accounts.account")
            )
        )
    form = LoginForm()
    if request.method == "GET":
        form.next.data = text_param(request.args, "next", max_length=2000)
    elif form.validate_on_submit():

        def sign_in():
            throttle.check_sign_in(form.email.data)
            user = services.authenticate(form.email.data, form.password.data)
            throttle.clear_failures(form.email.data)
            _sign_in(user, remember=form.remember.data)
            return user

        done = act(sign_in, form=form, expect=AccountRestricted)
        if isinstance(done.error, AccountRestricted):
            page = render_template(
                "accounts/login.html",
                form=form,
                unconfirmed=False,
                restriction=done.error.restriction,
                restriction_message=done.error.message,
            )
            return page, 403
        if isinstance(done.error, services.InvalidCredentials):
            # In its own transaction: the refused attempt rolled back
            act(lambda: throttle.record_failure(form.email.data))
        if isinstance(done.error, throttle.SignInRefused):
            page = render_template("accounts/login.html", form=form, unconfirmed=False)
            return page, 429, {"Retry-After": str(done.error.retry_after)}
        if done:
            flash(
                _("Bonjour %(name)s, vous êtes connecté.", name=done.value.display_name), "success"
            )
            return redirect(safe_next(form.next.data, url_for("pages.home")))
        if isinstance(done.error, services.EmailNotConfirmed):
            return render_template("accounts/login.html", form=form, unconfirmed=True), 403
    return render_template("accounts/login.html", form=form, unconfirmed=False), form_status(form)


@bp.route("/compte/deconnexion", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        act(lambda: sessions.end_current_session(current_user))
    logout_user()
    _restart_session()
    flash(_("Vous êtes déconnecté. À bientôt !"), "success")
    return redirect(url_for("pages.home"))


# --- forgotten password ---------------------------------------------------------------------------


@bp.route("/compte/mot-de-passe-oublie", methods=["GET", "POST"])
@limiter.limit(limit("RATELIMIT_PASSWORD_RESET"), methods=["POST"])
def forgot_password():
    form = EmailForm()
    if form.validate_on_submit() and act(lambda: services.request_password_reset(form.email.data)):
        flash(
            _(
                "Si un compte utilise cette adresse, un lien pour choisir un nouveau mot de passe "
                "vient d’y être envoyé. Il est valable %(minutes)s minutes.",
                minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
            ),
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form), form_status(form)


@bp.route("/compte/reinitialiser/<token>", methods=["GET", "POST"])
@limiter.limit(limit("RATELIMIT_PASSWORD_RESET"), methods=["POST"])
def reset_password(token: str):
    done = act(lambda: services.user_for_reset_token(token), expect=InvalidToken)
    if not done:
        return render_template("accounts/link_invalid.html", error=done.error, kind="reset"), 400
    form = ResetPasswordForm()
    if form.validate_on_submit() and act(
        lambda: services.reset_password(token, form.password.data), form=form
    ):
        if current_user.is_authenticated:
            logout_user()
        flash(_("Votre mot de passe est modifié. Connectez-vous avec le nouveau."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form), form_status(form)


# --- my account -----------------------------------------------------------------------------------


@bp.route("/compte/", methods=["GET", "POST"])
@login_required
def account():
    form = ProfileForm(obj=current_user)
    _offer_communes(form)
    if request.method == "GET":
        form.home_commune.data = current_user.home_commune_insee or (
            None if current_user.home_commune_legacy else services.OUTSIDE_TERRITORY
        )
    if form.validate_on_submit() and act(
        lambda: profiles.update_profile(
            current_user, form.display_name.data, form.home_commune.data, form.locale.data
        ),
        form=form,
    ):
        session["locale"] = current_user.locale
        flash(_("Votre profil est enregistré."), "success")
        return redirect(url_for("accounts.account"))
    return render_template("accounts/account.html", form=form), form_status(form)


@bp.route("/compte/email", methods=["GET", "POST"])
@login_required
@limiter.limit(limit("RATELIMIT_EMAIL_RESEND"), methods=["POST"])
def change_email():
    form = ChangeEmailForm()
    if form.validate_on_submit() and act(
        lambda: profiles.request_email_change(
            current_user, form.new_email.data, form.password.data
        ),
        form=form,
    ):
        flash(
            _(
                "Un lien de confirmation a été envoyé à la nouvelle adresse. Votre adresse "
                "actuelle reste valable tant que vous n’avez pas cliqué dessus."
            ),
            "info",
        )
        return redirect(url_for("accounts.account"))
    return render_template("accounts/change_email.html", form=form), form_status(form)


@bp.route("/compte/email/confirmer/<token>")
def confirm_email_change(token: str):
    done = act(lambda: profiles.confirm_email_change(token), expect=(InvalidToken, Conflict))
    if not done:
        return render_template(
            "accounts/link_invalid.html", error=done.error, kind="email"
        ), done.status
    flash(_("Votre nouvelle adresse e-mail est confirmée."), "success")
    return redirect(
        url_for("accounts.account" if current_user.is_authenticated else "accounts.login")
    )


@bp.route("/compte/mot-de-passe", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    everywhere = SignOutEverywhereForm(prefix="everywhere")

    def change():
        # Every session ends, this device's too: it signs in again with a new one
        user = current_user._get_current_object()
        services.change_password(user, form.current_password.data, form.new_password.data)
        _sign_in(user, remember=False)

    if form.validate_on_submit() and act(change, form=form):
        flash(_("Votre mot de passe est modifié."), "success")
        return redirect(url_for("accounts.account"))
    return render_template(
        "accounts/change_password.html", form=form, everywhere=everywhere
    ), form_status(form)


@bp.route("/compte/deconnexion-partout", methods=["POST"])
@login_required
def sign_out_everywhere():
    form = SignOutEverywhereForm(prefix="everywhere")
    if form.validate_on_submit() and act(lambda: services.sign_out_everywhere(current_user)):
        logout_user()
        flash(_("Vous êtes déconnecté de tous vos appareils."), "success")
    return redirect(url_for("accounts.login"))


@bp.route("/compte/appareils")
@login_required
def devices():
    return render_template(
        "accounts/devices.html",
        devices=sessions.live_sessions(current_user),
        form=SignOutEverywhereForm(),
    )


@bp.route("/compte/appareils/<int:session_id>/deconnecter", methods=["POST"])
@login_required
def end_device(session_id: int):
    form = SignOutEverywhereForm()
    if not form.validate_on_submit():
        return redirect(url_for("accounts.devices"))
    done = act(lambda: sessions.end_session(current_user, session_id))
    if done.value:
        logout_user()
        _restart_session()
        flash(_("Vous êtes déconnecté. À bientôt !"), "success")
        return redirect(url_for("pages.home"))
    flash(_("Cet appareil est déconnecté."), "success")
    return redirect(url_for("accounts.devices"))


# --- personal data (RGPD) -------------------------------------------------------------------------


@bp.route("/compte/donnees", methods=["GET", "POST"])
@login_required
def personal_data():
    form = DeleteAccountForm()
    if form.validate_on_submit() and act(
        lambda: rights.delete_account(current_user, form.password.data), form=form
    ):
        logout_user()
        _restart_session()
        flash(_("Votre compte et vos données personnelles ont été supprimés."), "success")
        return redirect(url_for("pages.home"))
    return render_template("accounts/personal_data.html", form=form), form_status(form)


@bp.route("/compte/donnees/export.json")
@login_required
def export_data():
    data = rights.export_personal_data(current_user)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="mes-donnees-sport-ressources-62.json"',
            "Cache-Control": "no-store",
        },
    )


# --- public profile -------------------------------------------------------------------------------


@bp.route("/membres/<public_id>")
def profile(public_id: str):
    member = services.get_public_profile(public_id)
    return render_template("accounts/profile.html", member=member)
