"""The request boundary of the HTML views, and small helpers they share.

A view loads what it needs, then runs its one service call through ``act``: the call succeeds and
the session is committed once, or it raises a ``DomainError``, the session is rolled back and the
error is shown as ``OUTCOMES`` says, the same way in every blueprint::

    form = ProfileForm(obj=current_user)
    if form.validate_on_submit() and act(lambda: profile.update_profile(...), form=form):
        flash(_("Votre profil est enregistré."), "success")
        return redirect(url_for("accounts.account"))
    return render_template("accounts/account.html", form=form), form_status(form)

``act`` returns a ``Result``, true when the call succeeded (its return value in ``.value``). When
it is false, the message is already on the form or flashed, and the view carries on as it would
anyway: it renders the form again (``form_status`` gives 422, or 409 for a conflict) or redirects.
Every other outcome ends the request, like ``abort``: an error page for NotFound and Forbidden, a
redirect to ``back`` for a refusal when the view gives one.

=================  ======  ===================================================================
error              status  HTML view (``form``: the form it renders again; ``back``: a URL)
=================  ======  ===================================================================
NotFound           404     error page, whatever the route
Forbidden          403     error page, whatever the route
ValidationFailed   422     messages on the form's fields (or its top); without a form, as below
Conflict           409     flash and redirect to ``back``; else at the top of ``form``; else flash
other DomainError  own     as Conflict, the form rendered again with 422
=================  ======  ===================================================================

A DomainError raised outside ``act`` (while loading, say) gets the error page of its status, and
an API answers any of them with ``problem_response``: problem JSON (RFC 9457) from the same table.

A destructive action asks first, without JavaScript: its view calls ``confirmation`` after
loading, which answers the first POST with a page saying what will happen, and lets through only
the POST that page sends back (``confirmed=yes``, a fresh CSRF token, the same fields)::

    if page := confirmation(question, consequence, _("Oui, retirer"), back=url):
        return page

Where undoing is more natural (a favourite), the view acts at once and ``flash_undo`` puts an
« Annuler » button, which POSTs the reverse action, in the message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple, NoReturn
from urllib.parse import urlsplit

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    has_request_context,
    jsonify,
    redirect,
    render_template,
    request,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import SQLAlchemyError

from sportressources.core import errorpages
from sportressources.core.db import begin_write
from sportressources.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    ValidationFailed,
    attach_to_form,
)

log = logging.getLogger(__name__)

# --- the request boundary ------------------------------------------------------------------------


class Rule(NamedTuple):
    """How a refused call is answered: its ``status`` (None: the error's own) and how a view
    shows it, given the error, that status, the view's form and its ``back`` URL."""

    status: int | None
    show: Callable[[DomainError, int, FlaskForm | None, str | None], None]


def _error_page(error: DomainError, status: int, form, back) -> NoReturn:
    raise error  # to the application's handler, which answers with ``error_response``


def _message(error: DomainError, status: int, form: FlaskForm | None, back: str | None) -> None:
    if back is not None:
        flash(str(error.message), "error")
        abort(redirect(back, code=303))
    if form is not None:
        form.form_errors.append(str(error.message))
        form.refused_status = status
    else:
        flash(str(error.message), "error")


def _on_fields(error: DomainError, status: int, form: FlaskForm | None, back: str | None) -> None:
    assert isinstance(error, ValidationFailed)
    if form is None:
        _message(error, status, form, back)
        return
    # A refusal that names no field (or a field the form lacks) shows at the top of the form
    if not error.fields or not attach_to_form(error, form):
        form.form_errors.append(str(error.message))
    form.refused_status = status


# Ordered: the first class the error is an instance of decides.
OUTCOMES: list[tuple[type[DomainError], Rule]] = [
    (NotFound, Rule(404, _error_page)),
    (Forbidden, Rule(403, _error_page)),
    (ValidationFailed, Rule(422, _on_fields)),
    (Conflict, Rule(409, _message)),
    (DomainError, Rule(None, _message)),
]


def rule_for(error: DomainError) -> Rule:
    return next(rule for cls, rule in OUTCOMES if isinstance(error, cls))


def status_of(error: DomainError) -> int:
    return rule_for(error).status or error.status


@dataclass(frozen=True)
class Result:
    """What ``act`` returns: true with the call's ``value``, or false with its ``error``."""

    value: Any = None
    error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.error is None

    @property
    def status(self) -> int:
        return status_of(self.error) if self.error is not None else 200


def act(
    call: Callable[[], Any],
    *,
    form: FlaskForm | None = None,
    back: str | None = None,
    expect: type[DomainError] | tuple[type[DomainError], ...] = (),
    undo: Callable[[], None] | None = None,
    write: bool | None = None,
) -> Result:
    """Run one service call, commit once if it succeeds, or roll back and show its DomainError.

    ``form``: the form the view renders again after a refusal; ``back``: where a refusal that is
    not about fields sends the member. ``expect``: error classes the view shows its own way; they
    are returned, not shown. ``undo``: what to clean up when the call fails (a file that goes
    with a row needs none: ``core.storage.save_after_commit`` writes it with the transaction).
    ``write``: end the read-only transaction the page opened, so that the write lock is taken
    before anything is read again; by default, for every request whose method did not take it up
    front (a GET from an email link, say), so that on SQLite concurrent writers queue instead of
    failing. A call opens its transaction as a write one (``core.db.begin_write``): a second call
    in the same request is as safe as the first. Any other exception rolls back too, and
    propagates. The module docstring lists the outcomes.
    """
    from sportressources.core.db import WRITE_METHODS, db

    if write is None:
        write = has_request_context() and request.method not in WRITE_METHODS
    if write and db.session().in_transaction():
        db.session.commit()
    begin_write()
    try:
        value = call()
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        if undo is not None:
            undo()
        if not isinstance(error, expect):
            rule = rule_for(error)
            rule.show(error, rule.status or 422, form, back)
        return Result(error=error)
    except BaseException:
        db.session.rollback()
        if undo is not None:
            undo()
        raise
    return Result(value=value)


def form_status(form: FlaskForm) -> int:
    """The status of a form page: 422 (or 409 after a conflict) when a submitted form failed."""
    if request.method != "POST" or not (form.errors or form.form_errors):
        return 200
    return getattr(form, "refused_status", 422)


def problem_response(error: DomainError) -> Response:
    """A DomainError as problem JSON (RFC 9457), with its stable ``code`` and field ``errors``."""
    status = status_of(error)
    title, _detail = errorpages.MESSAGES.get(status, errorpages.MESSAGES[400])
    fields = error.fields if isinstance(error, ValidationFailed) else {}
    response = jsonify(
        type="about:blank",
        title=str(title),
        status=status,
        detail=str(error.message),
        code=error.code,
        errors={name: [str(m) for m in messages] for name, messages in fields.items()},
    )
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def error_response(error: DomainError):
    """The answer to a DomainError that ends the request: its error page, or problem JSON."""
    from sportressources.core.db import db

    db.session.rollback()
    if errorpages.wants_json():
        return problem_response(error)
    return errorpages.respond(status_of(error), str(error.message), code=error.code)


# --- confirmation and undo ----------------------------------------------------------------------

CONFIRMED = "confirmed"  # the field the confirmation page adds; only a POST carrying it acts


def confirmation(
    question: str,
    consequence: str,
    yes: str,
    *,
    back: str,
    allowed: bool = True,
    danger: bool = True,
) -> Response | None:
    """The confirmation page of a destructive action, or None once the member has confirmed.

    A view calls it after loading (and before acting): ``if page := confirmation(...): return
    page``. The first request (a POST from the action's button, or a GET link) changes nothing and
    gets a page asking ``question``, saying ``consequence`` in words, with a ``yes`` button that
    POSTs the same fields again to the same URL with ``confirmed`` and a fresh CSRF token, and a
    « Non, revenir » link to ``back``. Works without JavaScript. ``allowed``: false for someone
    who may not act at all, who gets the Forbidden page instead of the question.
    """
    if not allowed:
        raise Forbidden()
    if request.method == "POST" and request.form.get(CONFIRMED) == "yes":
        return None
    # A prefixed form names its token « prefix-csrf_token »: each gets a fresh one on the page
    tokens = {"csrf_token"} | {name for name in request.form if name.endswith("csrf_token")}
    carried = [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name != CONFIRMED and name not in tokens
    ]
    page = render_template(
        "core/confirm.html",
        question=question,
        consequence=consequence,
        yes=yes,
        back=safe_next(back, "/"),
        action=request.full_path.rstrip("?"),
        carried=carried,
        tokens=sorted(tokens),
        danger=danger,
    )
    return current_app.make_response(page)


def flash_undo(message: str, *, action: str, label: str, fields: dict[str, str] | None = None):
    """Flash ``message`` with an « Annuler » button that POSTs ``fields`` to ``action`` (the
    reverse action), for a removal that is simpler undone than confirmed. Without JavaScript
    too; the button stays as long as the message (no time limit, WCAG 2.2.1)."""
    flash(
        {"text": str(message), "action": action, "label": str(label), "fields": fields or {}},
        "success",
    )


# --- other helpers -------------------------------------------------------------------------------


def safe_next(target: str | None, default: str) -> str:
    """``target`` if it is a path on this site, else ``default``: no open redirects."""
    if not target or len(target) > 2000:
        return default
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return default
    return target


def header_count(key: str, count: Callable[[Any], int]) -> int:
    """A number for the page header (unread messages, notifications): ``count`` of the signed-in
    member, once per request and kept in ``g.<key>``; 0 for a visitor, and 0 when the database
    cannot answer, so that an error page still renders instead of a 500."""
    if not current_user or not current_user.is_authenticated:
        return 0
    if key not in g:
        from sportressources.core.db import db

        try:
            setattr(g, key, count(current_user))
        except SQLAlchemyError:
            log.warning("%s unavailable", key)
            db.session.rollback()
            return 0
    return getattr(g, key)


def limit(key: str):
    """A rate-limit string read from configuration when the request comes, for Flask-Limiter."""
    return lambda: current_app.config[key]
