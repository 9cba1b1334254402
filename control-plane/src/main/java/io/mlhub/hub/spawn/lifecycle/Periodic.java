package io.mlhub.hub.spawn.lifecycle;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs one task again and again with a fixed pause between runs, on its own daemon thread. */
final class Periodic implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(Periodic.class);

    private final ScheduledExecutorService scheduler;

    /** Schedules {@code task} every {@code interval}, the first run after {@code interval}. */
    Periodic(String name, Duration interval, Runnable task) {
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("mlhub-" + name).factory());
        scheduler.scheduleWithFixedDelay(() -> runLogged(name, task), interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Keeps the schedule alive: an exception that escaped the task would cancel every later run. */
    private static void runLogged(String name, Runnable task) {
        try {
            task.run();
        } catch (RuntimeException failed) {
            logger.warn("periodic task failed task={} error={}", name, failed.toString());
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
