"""The job functions workers run, split by domain; periodic ones are declared in ``cron.py``.

How a job runs (``@job``) and how it is enqueued live in ``rackdinero_app/jobs.py``.
"""
