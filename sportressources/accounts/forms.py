"""Account forms: shape only. The rules (address format, password strength) live in services."""

from __future__ import annotations

import time

from flask import current_app
from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeSerializer
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, ValidationError

from sportressources.core.forms import ChoiceField

EMAIL_MAX = 254
PASSWORD_MAX = 256


def _required(message=None):
    return DataRequired(message=message or _l("Ce champ est obligatoire."))


def _email_field(label, autocomplete: str = "email"):
    return StringField(
        label,
        validators=[
            _required(_l("Indiquez une adresse e-mail.")),
            Length(max=EMAIL_MAX, message=_l("Cette adresse e-mail est trop longue.")),
        ],
        render_kw={"autocomplete": autocomplete, "inputmode": "email", "spellcheck": "false"},
    )


def _password_hint() -> LazyString:
    return LazyString(
        lambda: gettext(
            "Au moins %(n)s caractères. Une phrase de quelques mots est plus sûre et plus "
            "facile à retenir.",
            n=current_app.config["PASSWORD_MIN_LENGTH"],
        )
    )


def _password_field(label, autocomplete: str, hint: bool = False):
    return PasswordField(
        label,
        description=_password_hint() if hint else "",
        validators=[
            InputRequired(message=_l("Indiquez un mot de passe.")),
            Length(
                max=PASSWORD_MAX, message=_l("Le mot de passe ne peut pas dépasser 256 caractères.")
            ),
        ],
        render_kw={"autocomplete": autocomplete},
    )


def _started_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="sr62.form-started")


class RegistrationForm(FlaskForm):
    email = _email_field(_l("Adresse e-mail"))
    display_name = StringField(
        _l("Nom affiché"),
        description=_l("Visible par les autres membres, par exemple « Camille D. »."),
        validators=[
            _required(_l("Indiquez un nom.")),
            Length(max=60, message=_l("Le nom ne peut pas dépasser 60 caractères.")),
        ],
        render_kw={"autocomplete": "nickname"},
    )
    # Choices (the communes by zone, then « hors du territoire ») are set by the view.
    home_commune = ChoiceField(
        _l("Commune de résidence"),
        description=_l("Elle sert à vous proposer du matériel près de chez vous."),
        validators=[_required(_l("Indiquez votre commune."))],
        render_kw={"autocomplete": "off"},
    )
    password = _password_field(_l("Mot de passe"), "new-password", hint=True)
    password_confirm = PasswordField(
        _l("Confirmez le mot de passe"),
        validators=[
            InputRequired(message=_l("Confirmez le mot de passe.")),
            EqualTo("password", message=_l("Les deux mots de passe ne sont pas identiques.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    accept_terms = BooleanField(
        _l("J’accepte les conditions d’utilisation"),
        validators=[_required(_l("Vous devez accepter les conditions d’utilisation."))],
    )
    # Anti-bot: a field people never see or fill, and the signed time the form was shown.
    website = StringField(
        _l("Ne remplissez pas ce champ"), render_kw={"autocomplete": "off", "tabindex": "-1"}
    )
    started = HiddenField()
    # Where the visitor started (a local path, checked again when used): the confirmation link
    # signs them in and brings them back there
    next = HiddenField()

    def stamp(self) -> None:
        self.started.data = _started_serializer().dumps(time.time())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # ``started`` is hidden: its problem concerns the whole form, shown above it without the
        # field's (English, invisible) label or a link to an input nobody can reach.
        if self.started.errors:
            self.form_errors.extend(self.started.errors)
            self.started.errors = []
        return valid

    def validate_website(self, field) -> None:
        if field.data:
            raise ValidationError(
                _l("Ce formulaire semble rempli par un robot. Laissez vide le dernier champ caché.")
            )

    def validate_started(self, field) -> None:
        config = current_app.config
        try:
            started = float(_started_serializer().loads(field.data or ""))
        except (BadSignature, TypeError, ValueError):
            self.stamp()
            raise ValidationError(
                _l("Le formulaire n’a pas pu être vérifié. Relisez-le puis renvoyez-le.")
            ) from None
        elapsed = time.time() - started
        if elapsed < config["REGISTRATION_MIN_SECONDS"]:
            raise ValidationError(
                _l(
                    "Le formulaire a été envoyé trop vite pour un humain. Relisez-le puis "
                    "renvoyez-le."
                )
            )
        if elapsed > config["REGISTRATION_FORM_MAX_AGE"]:
            self.stamp()
            raise ValidationError(
                _l("Le formulaire était ouvert depuis trop longtemps. Renvoyez-le.")
            )


class LoginForm(FlaskForm):
    email = _email_field(_l("Adresse e-mail"), autocomplete="username")
    password = _password_field(_l("Mot de passe"), "current-password")
    remember = BooleanField(_l("Rester connecté sur cet appareil (30 jours)"))
    next = HiddenField()


class EmailForm(FlaskForm):
    email = _email_field(_l("Adresse e-mail"))


class ResetPasswordForm(FlaskForm):
    password = _password_field(_l("Nouveau mot de passe"), "new-password", hint=True)
    password_confirm = PasswordField(
        _l("Confirmez le nouveau mot de passe"),
        validators=[
            InputRequired(message=_l("Confirmez le mot de passe.")),
            EqualTo("password", message=_l("Les deux mots de passe ne sont pas identiques.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(FlaskForm):
    current_password = _password_field(_l("Mot de passe actuel"), "current-password")
    new_password = _password_field(_l("Nouveau mot de passe"), "new-password", hint=True)
    new_password_confirm = PasswordField(
        _l("Confirmez le nouveau mot de passe"),
        validators=[
            InputRequired(message=_l("Confirmez le mot de passe.")),
            EqualTo("new_password", message=_l("Les deux mots de passe ne sont pas identiques.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class ChangeEmailForm(FlaskForm):
    new_email = _email_field(_l("Nouvelle adresse e-mail"))
    password = _password_field(_l("Mot de passe actuel"), "current-password")


class ProfileForm(FlaskForm):
    display_name = RegistrationForm.display_name
    home_commune = RegistrationForm.home_commune
    locale = SelectField(
        _l("Langue des e-mails et du site"),
        choices=[
            SelectChoice("fr", "Français", render_kw={"lang": "fr"}),
            SelectChoice("en", "English", render_kw={"lang": "en"}),
        ],
        validators=[_required()],
    )


class DeleteAccountForm(FlaskForm):
    password = _password_field(_l("Mot de passe actuel"), "current-password")
    confirm = BooleanField(
        _l("Je comprends que la suppression est définitive"),
        validators=[_required(_l("Cochez la case pour confirmer la suppression."))],
    )


class SignOutEverywhereForm(FlaskForm):
    pass


# Expiry choices of a new API token, in days ("" never expires)
TOKEN_EXPIRY_CHOICES = [
    SelectChoice("30", _l("Dans 30 jours")),
    SelectChoice("90", _l("Dans 90 jours")),
    SelectChoice("365", _l("Dans un an")),
    SelectChoice("", _l("Jamais (à révoquer vous-même)")),
]
TOKEN_SCOPE_CHOICES = [
    SelectChoice("read", _l("Lecture seule : consulter vos annonces, prêts et messages")),
    SelectChoice(
        "write", _l("Lecture et écriture : aussi publier, demander, répondre en votre nom")
    ),
]
_CHOOSE_ONE = _l("Choisissez une des options proposées.")


class ApiTokenForm(FlaskForm):
    """A new personal API token: its name, scope and expiry."""

    name = StringField(
        _l("Nom du jeton"),
        description=_l("Pour le reconnaître plus tard, par exemple « Site du club »."),
        validators=[
            _required(_l("Donnez un nom à ce jeton, pour le reconnaître plus tard.")),
            Length(max=80, message=_l("Le nom ne peut pas dépasser 80 caractères.")),
        ],
        render_kw={"autocomplete": "off", "maxlength": 80},
    )
    scope = RadioField(
        _l("Autorisation"),
        choices=TOKEN_SCOPE_CHOICES,
        default="read",
        invalid_choice_message=_CHOOSE_ONE,
    )
    expiry = RadioField(
        _l("Expiration"),
        choices=TOKEN_EXPIRY_CHOICES,
        default="90",
        invalid_choice_message=_CHOOSE_ONE,
    )

    def expires_in_days(self) -> int | None:
        """The chosen lifetime in days, None for « jamais »."""
        return int(self.expiry.data) if self.expiry.data else None
