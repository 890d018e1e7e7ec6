from sportressources.app import create_app

__all__ = ["create_app"]
