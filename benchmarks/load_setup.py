"""Accounts and catalogue for the load test (run by benchmarks/load.py, in the app's environment).

``python benchmarks/load_setup.py ACCOUNTS OUT.json`` adds ACCOUNTS confirmed resident accounts
(« charge-NNN@example.org », the demo password), once: a second run reuses them. Then it writes
what the simulated visitors need to pick from: published listings, loan listings, venues, zones,
communes, the accounts. The database is the one DATABASE_URL names, already migrated and loaded
with ``flask data init --demo``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sqlalchemy import select

from sportressources import create_app
from sportressources.accounts.demo import DEMO_PASSWORD
from sportressources.accounts.models import User
from sportressources.accounts.passwords import hash_password
from sportressources.core.db import db, transaction, utcnow
from sportressources.core.security import Role
from sportressources.geo.models import Commune, Zone
from sportressources.listings.models import Listing, ListingKind, ListingStatus
from sportressources.venues.models import Venue

ACCOUNT_EMAIL = "charge-{:03d}@example.org"
# Searches people type: words of the demo and synthetic titles, common and rare
SEARCH_WORDS = ("vélo", "ballon", "raquette", "chaussures", "casque", "kimono", "enfant", "gants")


def ensure_accounts(count: int) -> list[str]:
    """``count`` confirmed residents living in the Pôle's communes, created when missing."""
    communes = db.session.scalars(select(Commune.insee).order_by(Commune.insee)).all()
    emails = [ACCOUNT_EMAIL.format(number) for number in range(1, count + 1)]
    existing = set(db.session.scalars(select(User.email).where(User.email.in_(emails))))
    password_hash = hash_password(DEMO_PASSWORD) if len(existing) < count else ""
    for number, email in enumerate(emails):
        if email in existing:
            continue
        db.session.add(
            User(
                email=email,
                display_name=f"Charge {number + 1}",
                role=Role.RESIDENT.value,
                home_commune_insee=communes[number % len(communes)],
                password_hash=password_hash,
                email_confirmed_at=utcnow(),
                terms_accepted_at=utcnow(),
            )
        )
    db.session.flush()
    return emails


def catalogue(accounts: list[str]) -> dict[str, object]:
    published = Listing.status == ListingStatus.PUBLISHED.value
    # The newest first: a visitor opens what the search shows, most often the first pages
    listings = db.session.scalars(
        select(Listing.id).where(published).order_by(Listing.id.desc()).limit(2000)
    ).all()
    loans = db.session.scalars(
        select(Listing.id)
        .where(published, Listing.kind == ListingKind.LOAN.value)
        .order_by(Listing.id)
    ).all()
    sports = db.session.execute(
        select(Listing.sport, Listing.category).where(published).distinct().limit(40)
    ).all()
    return {
        "listings": list(listings),
        "loan_listings": list(loans),
        "venues": list(db.session.scalars(select(Venue.slug).order_by(Venue.slug))),
        "zones": list(db.session.scalars(select(Zone.slug).order_by(Zone.slug))),
        "communes": list(db.session.scalars(select(Commune.name).order_by(Commune.name))),
        "sports": [[sport, category] for sport, category in sports],
        "words": list(SEARCH_WORDS),
        "accounts": accounts,
        "password": DEMO_PASSWORD,
    }


def main(argv: list[str]) -> int:
    count, out = int(argv[1]), Path(argv[2])
    app = create_app()
    with app.app_context():
        with transaction():
            accounts = ensure_accounts(count)
        data = catalogue(accounts)
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    print(
        f"{len(accounts)} comptes de charge ; à visiter : {len(data['listings'])} annonces "
        f"publiées (les plus récentes), {len(data['loan_listings'])} annonces de prêt, "
        f"{len(data['venues'])} lieux"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
