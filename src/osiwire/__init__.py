"""osiwire: a self-hosted open-source-intelligence newswire."""

__version__ = "0.1.0"
__all__ = ["__version__"]
