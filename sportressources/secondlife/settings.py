"""The thresholds of second-life routing: config values with defaults (README, « Seconde vie »)."""

from __future__ import annotations

from flask import Flask

SETTINGS = {
    # A published loan listing nobody borrowed for this many months (since its last return, or
    # its publication if never lent) is suggested to its owner
    "SECOND_LIFE_LOAN_IDLE_MONTHS": 6,
    # A published gift listing with no accepted request for this many weeks, likewise
    "SECOND_LIFE_GIFT_UNCLAIMED_WEEKS": 8,
}


class ConfigurationError(RuntimeError):
    pass


def register(app: Flask) -> None:
    """Put the defaults in the config and refuse a value that is not a whole number of 1 or more."""
    for key, default in SETTINGS.items():
        app.config.setdefault(key, default)
        value = app.config[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigurationError(f"{key} must be a whole number, 1 or more, not {value!r}.")
