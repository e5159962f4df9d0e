"""The stories stage: exact and near duplicates, story clusters and who published first.

Pure functions over values (``text``, ``minhash``, ``similarity``, ``clusters``) and an index behind a small
protocol (``index.StoryIndex``); ``osiwire.storying`` joins them to the store.
"""
