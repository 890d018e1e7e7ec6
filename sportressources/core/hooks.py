"""Template slots: where a package adds its part to a page that a lower package renders.

A template never imports another package's partial nor calls another package's endpoint or
global. Where a page shows something that belongs to a package above it (the exchange buttons
on a listing page, the « Messages » link in the header), the template calls
``{{ slot("listing.actions", listing=listing) }}``, and each package that has something to show
there adds a render function from its ``init_app``::

    add_to_slot(app, "listing.actions", exchange_actions, order=10)

A render function takes the slot's context as keyword arguments (ignoring those it does not need)
and returns markup, usually ``render_template`` of a partial in its own template folder. The slot
renders every contribution by ascending ``order``, one per line, and nothing at all when no
registered package filled it: a package left out of ``DOMAINS`` leaves no broken link or call.

``core``, ``accounts`` and ``pages`` are always registered, so ``base.html`` links to them
(sign-in, account, sign-out, home, legal pages) directly; every other package reaches the shared
templates through these slots:

- ``nav.main`` and ``nav.moderation`` (moderators only): items of the main menu, after « Accueil »;
- ``header.account``: the signed-in member's links, before « Mon compte »;
- ``listing.owner``, ``listing.actions``, ``listing.contact``, ``listing.sections``: a listing's
  page (``listing``, ``action_form``);
- ``listing.form``: extra fields of the listing form (``listing``, None when new; ``formdata``
  after a refusal; ``errors`` by field name), whose values reach the package through the
  signals of ``listings.signals`` (the loan terms);
- ``search.results_head``: above search results (``params``);
- ``my_space.buttons``, ``my_space.nav``, ``my_space.sections``: « Mon espace »;
- ``exchanges.my_requests.links``: under the member's requests;
- ``profile.actions``, ``profile.sections``: a member's public profile (``member``);
- ``account.nav``, ``account.sections``: « Mon compte », its menu and below the profile form;
- ``exchange.actions`` (``exchange``, ``side``), ``loan.actions`` (``loan``, ``side``): the page of
  one exchange request or loan, for its parties (« Écrire à … »);
- ``message.actions``: under each message of a conversation (``message``);
- ``rating.actions``: beside each rating shown on a profile (``rating``);
- ``organisation.sections``: an organisation's public page (``organisation``, ``viewer``): its
  gear and loans, its drives, its redistribution figures;
- ``venue.sections``: a venue's page (``venue``): the drives collecting there;
- ``event.sections``: a sporting event's page (``event``): the drives collecting for it and the
  published listings tied to it;
- ``footer.links``: links of the footer and of the sitemap's « Informations » (the transparency
  report, the API documentation);
- ``head.alternate`` (``feed`` and what names it: ``params``, ``zone``, ``organisation``): in a
  page's head, the ``<link rel="alternate">`` of its Atom feed; ``feeds.subscribe`` (the same):
  the visible « S’abonner au flux » link.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, render_template
from markupsafe import Markup

EXTENSION = "template_slots"

RenderFunction = Callable[..., str]


@dataclass(frozen=True)
class Contribution:
    order: int
    render: RenderFunction


def add_to_slot(app: Flask, name: str, render: RenderFunction, order: int = 50) -> None:
    """Show ``render(**context)`` wherever a template calls ``slot(name, **context)``.

    Contributions of equal order keep the order they were added in (that of ``DOMAINS``).
    """
    contributions = app.extensions.setdefault(EXTENSION, {}).setdefault(name, [])
    contributions.append(Contribution(order, render))
    contributions.sort(key=lambda contribution: contribution.order)


def partial(template: str) -> RenderFunction:
    """A render function that renders ``template`` with the slot's context."""

    def render(**context) -> str:
        return render_template(template, **context)

    render.__name__ = f"partial({template})"
    return render


def render_slot(name: str, /, **context) -> Markup:
    """Every contribution to the slot ``name``, in order; empty markup if there is none."""
    contributions = current_app.extensions.get(EXTENSION, {}).get(name, ())
    parts = (contribution.render(**context) for contribution in contributions)
    return Markup("\n").join(Markup(part) for part in parts if part and part.strip())


def register(app: Flask) -> None:
    app.extensions.setdefault(EXTENSION, {})
    app.jinja_env.globals["slot"] = render_slot
