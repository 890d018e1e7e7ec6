"""Second life: gear nobody uses is suggested to its owner for a gift or a partner ressourcerie."""

from flask import Flask


def init_app(app: Flask) -> None:
    pass
