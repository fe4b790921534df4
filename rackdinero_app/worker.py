"""What ``flask worker`` runs: an RQ worker with RQ's scheduler, and the app's periodic jobs.

RQ's worker quits when Redis goes away in the middle of a job. The loop here then waits until
Redis answers again and starts a fresh worker, so a Redis restart needs no process supervisor;
work lost with Redis's memory is re-enqueued by the sweeper. An idle worker blocks on its own
Redis connection, whose socket timeout RQ sets above its dequeue wait, so it never mistakes
waiting for an outage.

Jobs run in the worker's process by default: forking a work horse for every job cost a third
of the transfer throughput (bench/transfers.py), and a job that dies with its process is
recovered by the transfer lease and the sweeper. Each job ends with a clean session.
"""

from __future__ import annotations

import logging
import signal
import threading
import time

from flask import Flask
from redis.exceptions import RedisError
from rq import SimpleWorker
from rq import Worker
from rq.cron import CronScheduler
from rq.utils import now

from rackdinero_app.extensions import rq
from rackdinero_app.tasks import cron

log = logging.getLogger(__name__)

# RQ runs its maintenance (registry cleaning, restarting a scheduler that died, e.g. with a
# lost Redis) this often; its default of 10 minutes would leave delayed retries waiting.
MAINTENANCE_SECONDS = 30
REDIS_WAIT_SECONDS = 1.0
CRON_LEADER_KEY = "rackdinero:cron:leader"
CRON_LEASE_SECONDS = 15
CRON_TICK_SECONDS = 1.0

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) and 1 or 0
"""


class LeaderCron(CronScheduler):
    """RQ's cron scheduler, run by every worker; only the holder of a Redis lease enqueues.

    The others follow the schedule without enqueueing, so whoever takes the lease over keeps
    the same rhythm instead of enqueueing everything at once."""

    def is_leader(self) -> bool:
        lease_ms = CRON_LEASE_SECONDS * 1000
        return bool(self.connection.eval(_RENEW, 1, CRON_LEADER_KEY, self.name, lease_ms))

    def enqueue_jobs(self):
        if self.is_leader():
            return super().enqueue_jobs()
        moment = now()
        for cron_job in self._cron_jobs:
            if cron_job.should_run():
                cron_job.set_enqueue_time(moment)
        return []

    def resign(self) -> None:
        if self.connection.get(CRON_LEADER_KEY) == self.name.encode():
            self.connection.delete(CRON_LEADER_KEY)


def run_cron(app: Flask, stop: threading.Event) -> None:
    """Enqueue the periodic jobs of ``tasks/cron.py`` until ``stop`` is set."""
    with app.app_context():
        scheduler = cron.declare(LeaderCron(connection=rq.redis), app.config)
        try:
            while not stop.is_set():
                try:
                    if scheduler.enqueue_jobs():
                        scheduler.save()
                    scheduler.heartbeat()
                except RedisError as error:
                    log.warning("Periodic jobs paused: Redis is unavailable (%s)", error)
                stop.wait(min(scheduler.calculate_sleep_interval(), CRON_TICK_SECONDS))
        finally:
            try:
                scheduler.resign()
                scheduler.register_death()
            except RedisError:
                pass


def start_cron(app: Flask) -> threading.Event:
    """Run the periodic jobs in a thread of this process; set the returned event to stop."""
    stop = threading.Event()
    threading.Thread(target=run_cron, args=(app, stop), name="rackdinero-cron", daemon=True).start()
    return stop


class StopAware:
    """Remembers a stop asked for by a signal: RQ's loop ends the same way for that and for a
    lost Redis connection."""

    stop_asked = False

    def handle_warm_shutdown_request(self) -> None:
        self.stop_asked = True
        super().handle_warm_shutdown_request()  # type: ignore[misc]


class InProcessWorker(StopAware, SimpleWorker):
    pass


class ForkingWorker(StopAware, Worker):
    pass


def run(app: Flask, *, burst: bool = False, fork: bool = False) -> None:
    """Work the app's queues until stopped (or, with ``burst``, until they are empty)."""
    worker_class = ForkingWorker if fork else InProcessWorker
    stop_cron = None if burst else start_cron(app)
    try:
        while True:
            rq_worker = None
            try:
                rq_worker = worker_class(
                    [queue.name for queue in rq.queues],
                    connection=rq.worker_connection(),
                    maintenance_interval=MAINTENANCE_SECONDS,
                )
                rq_worker.work(burst=burst, with_scheduler=True)
            except RedisError as error:
                log.warning("The worker lost Redis (%s)", error)
            if burst or (rq_worker is not None and rq_worker.stop_asked):
                return
            # RQ's signal handlers belong to the worker that quit; while nothing runs, a signal
            # may stop the command at once.
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            _wait_for_redis()
            log.warning("Starting the worker again")
    finally:
        if stop_cron is not None:
            stop_cron.set()


def _wait_for_redis() -> None:
    while True:
        time.sleep(REDIS_WAIT_SECONDS)
        try:
            rq.redis.ping()
            return
        except RedisError:
            continue
