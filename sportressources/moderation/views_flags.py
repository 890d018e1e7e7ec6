"""Moderation pages: the automatic flags' settings (forbidden words)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from sportressources.core.security import role_required
from sportressources.core.web import act, form_status
from sportressources.moderation import forbidden_words as forbidden
from sportressources.moderation.forms_flags import ForbiddenWordForm, RemoveForbiddenWordForm
from sportressources.moderation.policies import can_moderate
from sportressources.moderation.views import bp


@bp.route("/moderation/mots-interdits", methods=["GET", "POST"])
@role_required(can_moderate)
def forbidden_words():
    form = ForbiddenWordForm()
    if request.method == "POST" and form.validate():
        done = act(lambda: forbidden.add_word(current_user, form.word.data), form=form)
        if done:
            flash(_("« %(word)s » est ajouté aux mots interdits.", word=done.value.word), "success")
            return redirect(url_for("moderation.forbidden_words"), code=303)
    return render_template(
        "moderation/flags_words.html",
        form=form,
        remove_form=RemoveForbiddenWordForm(),
        words=forbidden.listed_words(),
        word_max=forbidden.FORBIDDEN_WORDS_MAX,
    ), form_status(form)


@bp.route("/moderation/mots-interdits/<int:word_id>/supprimer", methods=["POST"])
@role_required(can_moderate)
def remove_forbidden_word(word_id: int):
    back = url_for("moderation.forbidden_words")
    if not RemoveForbiddenWordForm().validate_on_submit():
        flash(_("La demande a expiré : recommencez."), "error")
        return redirect(back, code=303)
    if done := act(lambda: forbidden.remove_word(current_user, word_id), back=back):
        flash(_("« %(word)s » est retiré des mots interdits.", word=done.value.word), "success")
    return redirect(back, code=303)
