"""The web UI, Atom feeds and JSON API over a store: see ``osiwire.web.app.create_app``."""
