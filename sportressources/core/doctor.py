"""``flask doctor``: is this installation able to run? One line per part, in plain words.

Checks the configuration, the database and its migrations, Redis, the photo storage, the task
broker and the mail relay, each by really using it (a connection, a probe file written then
deleted, an SMTP conversation without any message). Never sends an email, never migrates.

The command still runs when the configuration is refused (the site itself would not start): it
says why, then checks the rest with the values it read.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from flask import Config, Flask
from flask.cli import ScriptInfo
from sqlalchemy import create_engine, make_url, text

from sportressources.config import PROJECT_ROOT, ConfigurationError, check_config, load_config
from sportressources.core import probes
from sportressources.core.probes import redacted


@dataclass
class Finding:
    part: str
    ok: bool
    detail: str
    hint: str = ""

    def line(self) -> str:
        mark = "✔" if self.ok else "✘"
        text_ = f"{mark} {self.part} : {self.detail}"
        return f"{text_}\n    → {self.hint}" if self.hint and not self.ok else text_


def reason(error: BaseException) -> str:
    """The error in a few words: its message, else its class name (never a traceback)."""
    words = " ".join(str(getattr(error, "orig", None) or error).split())
    if isinstance(error, OSError) and error.strerror:
        words = error.strerror
    return words[:300] or type(error).__name__


def check_configuration(config: Mapping[str, Any], refused: ConfigurationError | None) -> Finding:
    part = "Configuration"
    if refused is not None:
        return Finding(part, False, str(refused), "corrigez la variable d’environnement nommée")
    try:
        check_config(dict(config))
    except ConfigurationError as error:
        return Finding(part, False, str(error), "corrigez la variable d’environnement nommée")
    if config["RATELIMIT_STORAGE_URI"].startswith("memory://") and config["WEB_CONCURRENCY"] > 1:
        return Finding(
            part,
            False,
            "RATELIMIT_STORAGE_URI est memory:// mais WEB_CONCURRENCY vaut "
            f"{config['WEB_CONCURRENCY']} : chaque processus compterait seul",
            "RATELIMIT_STORAGE_URI=redis://…",
        )
    return Finding(part, True, f"environnement {config['APP_ENV']}, réglages valides")


def check_database(config: Mapping[str, Any]) -> list[Finding]:
    url = config["SQLALCHEMY_DATABASE_URI"]
    shown = redacted(url)
    sqlite_file = make_url(url).database if url.startswith("sqlite") else None
    if sqlite_file and sqlite_file != ":memory:" and not Path(sqlite_file).is_file():
        # Connecting would create an empty file: say what is missing instead
        return [
            Finding(
                "Base de données",
                False,
                f"le fichier {sqlite_file} n’existe pas",
                "vérifiez DATABASE_URL, ou créez la base : flask db upgrade",
            ),
            Finding("Migrations", False, "non vérifiées (pas de base)"),
        ]
    engine = create_engine(url, **config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
    try:
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:  # every driver error means « unreachable »
            return [
                Finding(
                    "Base de données",
                    False,
                    f"injoignable à {shown} ({reason(error)})",
                    "vérifiez DATABASE_URL et que le serveur de base de données tourne",
                ),
                Finding("Migrations", False, "non vérifiées (base injoignable)"),
            ]
        found = [Finding("Base de données", True, f"connectée ({shown})")]
        try:
            pending = probes.pending_migrations(engine)
        except Exception as error:  # alembic: a revision this code does not know
            return [
                *found,
                Finding(
                    "Migrations",
                    False,
                    f"état illisible ({reason(error)})",
                    "la base vient-elle d’une version plus récente du site ? flask db current",
                ),
            ]
        if pending:
            found.append(
                Finding(
                    "Migrations",
                    False,
                    f"{len(pending)} migration{'s' if len(pending) > 1 else ''} en attente : "
                    "lancez flask db upgrade",
                    "flask db upgrade, avant de diriger le trafic vers cette version",
                )
            )
        else:
            found.append(Finding("Migrations", True, "la base est à jour"))
        return found
    finally:
        engine.dispose()


def check_redis(config: Mapping[str, Any]) -> Finding:
    url = config["RATELIMIT_STORAGE_URI"]
    if url.startswith("memory://"):
        return Finding("Redis", True, "non utilisé (limites de débit en mémoire, un processus)")
    if not probes.is_redis_url(url):
        return Finding("Redis", True, f"non utilisé (limites de débit dans {redacted(url)})")
    try:
        probes.ping_redis(url)
    except Exception as error:
        return Finding(
            "Redis",
            False,
            f"injoignable à {redacted(url)} ({reason(error)})",
            "vérifiez RATELIMIT_STORAGE_URI et que Redis tourne",
        )
    return Finding("Redis", True, f"répond à {redacted(url)}")


def check_storage(config: Mapping[str, Any], storage_factory: Callable[[], Any]) -> Finding:
    backend = config.get("STORAGE_BACKEND", "local")
    where = (
        config["UPLOAD_DIR"]
        if backend == "local"
        else f"compartiment {config.get('S3_BUCKET')} ({config.get('S3_ENDPOINT_URL') or 'S3'})"
    )
    hint = (
        "vérifiez que UPLOAD_DIR est un dossier où le site peut écrire"
        if backend == "local"
        else "vérifiez S3_ENDPOINT_URL, S3_BUCKET, les clés et que le service répond"
    )
    try:
        probes.round_trip(storage_factory())
    except Exception as error:
        return Finding("Stockage des photos", False, f"{where} : {reason(error)}", hint)
    return Finding("Stockage des photos", True, f"{where} : écriture, lecture et suppression")


def check_broker(config: Mapping[str, Any]) -> Finding:
    url = config.get("TASKS_BROKER_URL") or ""
    if not url:
        return Finding("File de tâches", True, "aucune (tâches exécutées dans le processus)")
    try:
        probes.ping_broker(url)
    except Exception as error:
        return Finding(
            "File de tâches",
            False,
            f"injoignable à {redacted(url)} ({reason(error)})",
            "vérifiez TASKS_BROKER_URL et que le serveur de la file tourne",
        )
    return Finding("File de tâches", True, f"répond à {redacted(url)}")


def check_mail(config: Mapping[str, Any]) -> Finding:
    if config["MAIL_BACKEND"] == "outbox":
        directory = Path(config["MAIL_OUTBOX_DIR"])
        try:
            probes.outbox_dir_writable(directory)
        except OSError as error:
            return Finding(
                "Courriel",
                False,
                f"dossier {directory} : {reason(error)}",
                "MAIL_OUTBOX_DIR doit être un dossier où le site peut écrire",
            )
        return Finding("Courriel", True, f"écrits dans {directory} (pas d’envoi réel)")
    server = f"{config['MAIL_SERVER']}:{config['MAIL_PORT']}"
    try:
        smtp_conversation(config)
    except Exception as error:
        return Finding(
            "Courriel",
            False,
            f"serveur SMTP {server} : {reason(error)}",
            "vérifiez MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS/SSL et les identifiants",
        )
    return Finding("Courriel", True, f"serveur SMTP {server} joignable (aucun message envoyé)")


def smtp_conversation(config: Mapping[str, Any]) -> None:
    """Connect, EHLO, STARTTLS and log in as configured, then QUIT: never a message."""
    context = ssl.create_default_context()
    timeout = min(config["MAIL_TIMEOUT"], 10)
    if config["MAIL_USE_SSL"]:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout, context=context
        )
    else:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout)
    try:
        smtp.ehlo()
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls(context=context)
            smtp.ehlo()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.quit()
    finally:
        smtp.close()


def examine(
    config: Mapping[str, Any],
    storage_factory: Callable[[], Any],
    refused: ConfigurationError | None = None,
) -> list[Finding]:
    return [
        check_configuration(config, refused),
        *check_database(config),
        check_redis(config),
        check_storage(config, storage_factory),
        check_broker(config),
        check_mail(config),
    ]


def summary(findings: list[Finding]) -> str:
    failed = [f.part for f in findings if not f.ok]
    if not failed:
        return f"Tout va bien : {len(findings)} vérifications réussies."
    plural = "s" if len(failed) > 1 else ""
    return (
        f"{len(failed)} problème{plural} sur {len(findings)} vérifications : {', '.join(failed)}."
    )


def _config_as_the_site_reads_it() -> tuple[Config, ConfigurationError | None]:
    instance_path = PROJECT_ROOT / "instance"
    config = Config(str(instance_path))
    try:
        load_config(config, instance_path, None)
    except ConfigurationError as error:
        # load_config fills every key before it checks them: the values are there to test
        return config, error
    return config, None


def _storage_of(app: Flask | None, config: Mapping[str, Any]) -> Callable[[], Any]:
    from sportressources.core.storage import BACKENDS, get_storage

    if app is None:
        return lambda: BACKENDS[config.get("STORAGE_BACKEND", "local")](config)

    def from_app():
        with app.app_context():
            return get_storage()

    return from_app


@click.command("doctor")
@click.pass_context
def doctor_command(ctx: click.Context) -> None:
    """Vérifie configuration, base, migrations, Redis, stockage, file de tâches et courriel."""
    info = ctx.ensure_object(ScriptInfo)
    refused: ConfigurationError | None = None
    app: Flask | None = None
    try:
        app = info.load_app()
        config: Mapping[str, Any] = app.config
    except ConfigurationError as error:
        config, refused = _config_as_the_site_reads_it()
        refused = refused or error
    findings = examine(config, _storage_of(app, config), refused)
    for finding in findings:
        click.echo(finding.line())
    click.echo(summary(findings))
    if any(not f.ok for f in findings):
        ctx.exit(1)
