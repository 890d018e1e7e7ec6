"""The demo: one demo resident's never-borrowed loan item is old enough for the next scan."""

from sportressources.secondlife.demo import age_demo_loan_item
from sportressources.secondlife.scan import scan
from tests.factories import committed, make_listing, make_user
from tests.secondlife.conftest import with_photo


def test_the_demo_ages_one_loan_item_once(app, outbox):
    assert age_demo_loan_item() == "pas de compte de démonstration"
    lea = make_user(email="lea.martin@example.org")
    assert age_demo_loan_item() == "aucune annonce de prêt disponible"
    with_photo(make_listing(owner=lea, kind="loan", title="VTT junior Rockrider"))
    assert (
        committed(age_demo_loan_item())
        == "« VTT junior Rockrider » publiée il y a plus de six mois"
    )
    assert committed(age_demo_loan_item()) == "déjà présent"
    assert committed(scan()) == 1
    assert outbox.last("lea.martin@example.org").subject == (
        "Une seconde vie pour « VTT junior Rockrider » ?"
    )
