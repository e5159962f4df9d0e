"""Workers on many machines: the pipeline's stages as procrastinate tasks in PostgreSQL.

``osiwire worker --queues fetch,enrich`` on any machine that reaches the database; ``osiwire jobs`` lists and
retries failed tasks. The tasks run the same stage code as ``osiwire run`` (``pipeline.py``). SQLite installs
never need any of this.
"""

# procrastinate's job statuses, as `osiwire jobs --status` and the /jobs page name them.
JOB_STATUSES = ("todo", "doing", "succeeded", "failed", "cancelled", "aborted")
