"""Saved searches and alerts: rules (``rules``), their evaluation (``evaluate``) and webhooks (``delivery``)."""
