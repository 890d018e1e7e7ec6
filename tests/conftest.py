"""Test configuration.

Every test that asks for ``app`` runs once per database backend: SQLite always, PostgreSQL when
``TEST_DATABASE_URL`` is set. With ``CI=true`` a missing server or browser is a failure, and so is
any skipped test: nothing is silently left out.
"""

import os

import pytest

pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.web",
    "tests.fixtures.browser",
    "tests.fixtures.s3",
]

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_configure(config):
    if IN_CI and not os.environ.get("TEST_DATABASE_URL"):
        raise pytest.UsageError(
            "CI=true but TEST_DATABASE_URL is not set: PostgreSQL must be tested."
        )
    if IN_CI and not os.environ.get("TEST_REDIS_URL"):
        raise pytest.UsageError("CI=true but TEST_REDIS_URL is not set: Redis must be tested.")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"skipped under CI=true, which counts as a failure: {reason}"
