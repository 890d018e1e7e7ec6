"""Organisation pages: the directory, a public page, creation, the members' management page and
the invitation link."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from sportressources.core.errors import NotFound
from sportressources.core.forms import grouped_choices
from sportressources.core.templating import member_name
from sportressources.core.web import act, confirmation, form_status
from sportressources.geo import queries as geo
from sportressources.organisations import invitations, queries, services
from sportressources.organisations.forms import (
    KIND_LABELS,
    ActionForm,
    DirectoryForm,
    InviteForm,
    LogoForm,
    ProfileForm,
    RoleForm,
)
from sportressources.organisations.models import Organisation
from sportressources.organisations.policies import (
    can_act_for_organisation,
    can_manage_organisation,
    can_view_organisation,
)
from sportressources.organisations.sports import sport_labels

bp = Blueprint("organisations", __name__)


def _commune_choices() -> list:
    return [
        (zone.short_name, [(c.insee, c.label) for c in communes])
        for zone, communes in geo.communes_by_zone()
    ]


def _profile_form(organisation: Organisation | None = None) -> ProfileForm:
    form = ProfileForm(obj=organisation)
    if organisation is not None and request.method == "GET":
        form.commune.data = organisation.commune_insee
        form.rna.data = organisation.rna or ""
        form.siret.data = organisation.siret or ""
    form.commune.choices = grouped_choices(_commune_choices(), blank="—")
    form.sports.choices = [(code, str(label)) for code, label in sport_labels().items()]
    return form


def _profile_data(form: ProfileForm) -> services.ProfileData:
    return services.ProfileData(
        name=form.name.data or "",
        kind=form.kind.data or "",
        commune_insee=form.commune.data or "",
        rna=form.rna.data or "",
        siret=form.siret.data or "",
        address=form.address.data or "",
        sports=list(form.sports.data or []),
        description=form.description.data or "",
        dropoff_hours=form.dropoff_hours.data or "",
        website=form.website.data or "",
    )


def _visible(slug: str) -> Organisation:
    """The organisation, or 404 for those who may not see it (its existence does not leak)."""
    organisation = queries.get_organisation(slug)
    if not can_view_organisation(current_user, organisation):
        raise NotFound(queries.NOT_VISIBLE)
    return organisation


@bp.route("/organisations")
def directory():
    form = DirectoryForm(request.args)
    form.type.choices = [("", _("Tous les types"))] + [(k.value, v) for k, v in KIND_LABELS.items()]
    zones = geo.zones()
    form.zone.choices = [("", _("Tout le territoire"))] + [(z.slug, z.short_name) for z in zones]
    form.commune.choices = grouped_choices(_commune_choices(), blank=_("Toutes les communes"))
    valid = form.validate()
    zone = next((z for z in zones if valid and z.slug == form.zone.data), None)
    commune = form.commune.data if valid and form.commune.data else None
    organisations = queries.directory(
        kind=form.type.data if valid and form.type.data else None,
        zone_id=zone.id if zone is not None else None,
        commune_insee=commune,
    )
    return render_template(
        "organisations/directory.html", form=form, organisations=organisations
    ), (200 if valid else 422)


@bp.route("/organisations/nouvelle", methods=["GET", "POST"])
@login_required
def new():
    form = _profile_form()
    if form.validate_on_submit() and (
        done := act(
            lambda: services.create_organisation(current_user, _profile_data(form)), form=form
        )
    ):
        flash(
            _(
                "« %(name)s » est inscrite. L’équipe de modération va la vérifier : en attendant, "
                "sa page n’est visible que de ses membres.",
                name=done.value.name,
            ),
            "success",
        )
        return redirect(url_for("organisations.manage", slug=done.value.slug), code=303)
    return render_template("organisations/form.html", form=form, organisation=None), form_status(
        form
    )


@bp.route("/organisations/<slug>")
def page(slug: str):
    organisation = _visible(slug)
    return render_template(
        "organisations/page.html",
        organisation=organisation,
        managers=queries.managers_of(organisation.id),
    )


def _member_page(slug: str) -> Organisation:
    organisation = _visible(slug)
    if not can_act_for_organisation(current_user, organisation):
        abort(403)
    return organisation


def _manage_page(organisation: Organisation, status: int = 200, **forms):
    forms.setdefault("profile_form", _profile_form(organisation))
    forms.setdefault("logo_form", LogoForm())
    forms.setdefault("invite_form", InviteForm())
    return render_template(
        "organisations/manage.html",
        organisation=organisation,
        memberships=queries.memberships(organisation.id),
        invitations=invitations.pending_invitations(organisation),
        role_form=RoleForm(),
        action_form=ActionForm(),
        **forms,
    ), status


@bp.route("/organisations/<slug>/gerer", methods=["GET", "POST"])
@login_required
def manage(slug: str):
    organisation = _member_page(slug)
    if request.method == "GET":
        return _manage_page(organisation)
    if not can_manage_organisation(current_user, organisation):
        abort(403)
    form = _profile_form(organisation)
    was_verified = organisation.is_verified
    if form.validate_on_submit() and act(
        lambda: services.update_profile(current_user, organisation, _profile_data(form)),
        form=form,
    ):
        flash(_("Le profil de l’organisation est enregistré."), "success")
        if was_verified and not organisation.is_verified:
            flash(_("L’organisation sera vérifiée de nouveau par l’équipe de modération."), "info")
        return redirect(url_for("organisations.manage", slug=organisation.slug), code=303)
    return _manage_page(organisation, form_status(form), profile_form=form)


@bp.route("/organisations/<slug>/logo", methods=["POST"])
@login_required
def logo(slug: str):
    organisation = _member_page(slug)
    form = LogoForm()
    back = url_for("organisations.manage", slug=slug)
    if request.form.get("action") == "remove":
        if ActionForm().validate_on_submit() and act(
            lambda: services.remove_logo(current_user, organisation), back=back
        ):
            flash(_("Le logo est retiré."), "success")
        return redirect(back, code=303)
    upload = request.files.get("logo")
    if not upload or not upload.filename:
        form.logo.errors = [_("Choisissez une image.")]
        return _manage_page(organisation, 422, logo_form=form)
    if form.validate_on_submit() and act(
        lambda: services.set_logo(current_user, organisation, upload.stream, upload.filename),
        form=form,
    ):
        flash(_("Le logo est enregistré."), "success")
        return redirect(back, code=303)
    return _manage_page(organisation, form_status(form), logo_form=form)


@bp.route("/organisations/<slug>/invitations", methods=["POST"])
@login_required
def invite(slug: str):
    organisation = _member_page(slug)
    form = InviteForm()
    if form.validate_on_submit() and act(
        lambda: invitations.invite_member(
            current_user, organisation, form.email.data, form.role.data
        ),
        form=form,
    ):
        flash(_("L’invitation est envoyée à %(email)s.", email=form.email.data.strip()), "success")
        return redirect(url_for("organisations.manage", slug=slug), code=303)
    return _manage_page(organisation, form_status(form), invite_form=form)


def _member_name(organisation: Organisation, user_id: int) -> str:
    membership = queries.membership_of(user_id, organisation.id)
    return member_name(membership.user) if membership else _("ce membre")


def _member_action(slug: str, call, message: str, back: str | None = None, ask=None, manager=True):
    """A button of the management page: check the token, confirm first when ``ask`` (the
    organisation -> ``core.web.confirmation``'s question, consequence and button; only a
    manager is asked unless ``manager`` is false), run ``call``, go back."""
    organisation = _member_page(slug)
    back_url = back or url_for("organisations.manage", slug=slug)
    if not ActionForm().validate_on_submit():
        flash(_("Le formulaire a expiré : recommencez."), "error")
        return redirect(url_for("organisations.manage", slug=slug), code=303)
    manage = url_for("organisations.manage", slug=slug)
    allowed = not manager or can_manage_organisation(current_user, organisation)
    if ask and (page := confirmation(*ask(organisation), back=manage, allowed=allowed)):
        return page
    if act(lambda: call(organisation), back=url_for("organisations.manage", slug=slug)):
        flash(message, "success")
    return redirect(back_url, code=303)


@bp.route("/organisations/<slug>/invitations/<int:invitation_id>/annuler", methods=["POST"])
@login_required
def revoke_invitation(slug: str, invitation_id: int):
    return _member_action(
        slug,
        lambda org: invitations.revoke_invitation(current_user, org, invitation_id),
        _("L’invitation est annulée."),
        ask=lambda org: (
            _("Annuler cette invitation ?"),
            _("Le lien envoyé ne fonctionnera plus. Vous pourrez inviter de nouveau la personne."),
            _("Oui, annuler l’invitation"),
        ),
    )


@bp.route("/organisations/<slug>/membres/<int:user_id>/role", methods=["POST"])
@login_required
def set_role(slug: str, user_id: int):
    form = RoleForm()
    role = form.role.data if form.validate_on_submit() else ""
    return _member_action(
        slug,
        lambda org: services.set_member_role(current_user, org, user_id, role or ""),
        _("Le rôle est enregistré."),
    )


@bp.route("/organisations/<slug>/membres/<int:user_id>/retirer", methods=["POST"])
@login_required
def remove_member(slug: str, user_id: int):
    return _member_action(
        slug,
        lambda org: services.remove_member(current_user, org, user_id),
        _("Le membre est retiré de l’organisation."),
        ask=lambda org: (
            _("Retirer %(name)s de « %(org)s » ?", name=_member_name(org, user_id), org=org.name),
            _(
                "Cette personne perd aussitôt l’accès à l’organisation et reçoit une "
                "notification. Vous pourrez l’inviter de nouveau."
            ),
            _("Oui, retirer"),
        ),
    )


@bp.route("/organisations/<slug>/quitter", methods=["POST"])
@login_required
def leave(slug: str):
    return _member_action(
        slug,
        lambda org: services.leave_organisation(current_user, org),
        _("Vous avez quitté l’organisation."),
        back=url_for("organisations.mine"),
        ask=lambda org: (
            _("Quitter « %(org)s » ?", org=org.name),
            _(
                "Vous perdez aussitôt l’accès à l’organisation et à son matériel ; ses "
                "responsables sont prévenus. Pour revenir, il faudra une nouvelle invitation."
            ),
            _("Oui, quitter"),
        ),
        manager=False,
    )


@bp.route("/organisations/<slug>/renvoyer", methods=["POST"])
@login_required
def resubmit(slug: str):
    return _member_action(
        slug,
        lambda org: services.resubmit_organisation(current_user, org),
        _("L’organisation est renvoyée à l’équipe de modération pour vérification."),
    )


@bp.route("/organisations/<slug>/fermer", methods=["POST"])
@login_required
def close(slug: str):
    return _member_action(
        slug,
        lambda org: services.close_organisation(current_user, org),
        _("L’organisation est fermée."),
        back=url_for("organisations.mine"),
        ask=lambda org: (
            _("Fermer « %(org)s » ?", org=org.name),
            _(
                "Elle quitte l’annuaire, sa page n’est plus visible et ses membres perdent "
                "l’accès ; ils sont prévenus. C’est définitif."
            ),
            _("Oui, fermer l’organisation"),
        ),
    )


@bp.route("/organisations/invitation/<token>", methods=["GET", "POST"])
def invitation(token: str):
    found = invitations.invitation_for(token)
    problem = invitations.unusable_reason(found)
    form = ActionForm()
    if problem is None and current_user.is_authenticated and form.validate_on_submit():
        done = act(lambda: invitations.accept_invitation(current_user, token), form=form)
        if done:
            flash(_("Bienvenue dans « %(name)s » !", name=found.organisation.name), "success")
            return redirect(url_for("organisations.manage", slug=found.organisation.slug), code=303)
    status = 410 if problem is not None else form_status(form)
    return render_template(
        "organisations/invitation.html", invitation=found, problem=problem, form=form
    ), status


@bp.route("/compte/organisations")
@login_required
def mine():
    return render_template(
        "organisations/mine.html", organisations=queries.organisations_of(current_user.id)
    )
