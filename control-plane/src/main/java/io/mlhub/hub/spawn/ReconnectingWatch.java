package io.mlhub.hub.spawn;

import static java.util.Objects.requireNonNull;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link WorkspaceWatch} over an event stream that can break, such as the Docker engine's. It opens the stream,
 * and when the stream fails or ends it opens it again after a pause that doubles from {@code initialBackoff} up to
 * {@code maxBackoff}. After each successful (re)open the listener's {@code watchConnected} runs, so that the hub
 * compares everything once for the events it missed.
 */
public final class ReconnectingWatch implements WorkspaceWatch {
    private static final Logger logger = LoggerFactory.getLogger(ReconnectingWatch.class);

    /** Opens the event stream once, delivering what it reads to {@code sink}. */
    @FunctionalInterface
    public interface Source {
        /**
         * Opens the stream and returns it; the stream reports its connection, events and end to {@code sink} from
         * any thread.
         *
         * @throws Exception when the stream cannot be opened; the watch tries again after the backoff
         */
        Closeable open(Sink sink) throws Exception;
    }

    /** Receives what one opened stream reads; calls from a stream that was replaced or closed are ignored. */
    public interface Sink {
        /** Reports that the engine accepted the subscription, so later events are delivered. */
        void connected();

        void event(WorkspaceEvent event);

        /** Reports that the stream failed ({@code cause} set) or ended ({@code cause} null). */
        void broken(@Nullable Throwable cause);
    }

    private final String engine;
    private final Source source;
    private final Listener listener;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final ScheduledExecutorService scheduler;
    private final Object lock = new Object();
    private int generation;
    private @Nullable Closeable stream;
    private Duration backoff;
    private int failedAttempts;
    private boolean closed;

    private ReconnectingWatch(String engine, Source source, Listener listener, Duration initialBackoff,
            Duration maxBackoff) {
        this.engine = requireNonNull(engine, "engine");
        this.source = requireNonNull(source, "source");
        this.listener = requireNonNull(listener, "listener");
        if (initialBackoff.isNegative() || initialBackoff.isZero()) {
            throw new IllegalArgumentException("initialBackoff: " + initialBackoff + " (expected: > 0)");
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff: " + maxBackoff + " (expected: >= initialBackoff)");
        }
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.backoff = initialBackoff;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("mlhub-" + engine + "-watch").factory());
    }

    /** Opens the stream now and keeps it open until {@link #close}. */
    public static ReconnectingWatch start(String engine, Source source, Listener listener, Duration initialBackoff,
            Duration maxBackoff) {
        ReconnectingWatch watch = new ReconnectingWatch(engine, source, listener, initialBackoff, maxBackoff);
        watch.scheduler.execute(watch::open);
        return watch;
    }

    private void open() {
        int current;
        synchronized (lock) {
            if (closed) {
                return;
            }
            current = ++generation;
        }
        try {
            Closeable opened = source.open(new GenerationSink(current));
            synchronized (lock) {
                if (closed || generation != current) {
                    closeQuietly(opened);
                    return;
                }
                stream = opened;
            }
        } catch (Exception failed) {
            broken(current, failed);
        }
    }

    private void connected(int from) {
        int attempts;
        synchronized (lock) {
            if (closed || generation != from) {
                return;
            }
            attempts = failedAttempts;
            failedAttempts = 0;
            backoff = initialBackoff;
        }
        if (attempts == 0) {
            logger.info("workspace watch connected engine={}", engine);
        } else {
            logger.info("workspace watch reconnected, reconciling engine={} failedAttempts={}", engine, attempts);
        }
        listener.watchConnected();
    }

    private void event(int from, WorkspaceEvent event) {
        synchronized (lock) {
            if (closed || generation != from) {
                return;
            }
        }
        listener.workspaceChanged(event);
    }

    private void broken(int from, @Nullable Throwable cause) {
        Duration retryIn;
        int attempts;
        Closeable old;
        synchronized (lock) {
            if (closed || generation != from) {
                return;
            }
            generation++;
            old = stream;
            stream = null;
            retryIn = backoff;
            backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
            attempts = ++failedAttempts;
        }
        closeQuietly(old);
        String error = cause == null ? "stream ended" : String.valueOf(cause.getMessage());
        if (attempts == 1) {
            logger.warn("workspace watch lost, reconnecting engine={} retryIn={} error={}", engine, retryIn, error);
        } else {
            logger.debug("workspace watch still disconnected engine={} attempt={} retryIn={} error={}", engine,
                    attempts, retryIn, error);
        }
        try {
            scheduler.schedule(this::open, retryIn.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            logger.debug("workspace watch closing, no reconnect engine={}", engine);
        }
    }

    private static void closeQuietly(@Nullable Closeable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (IOException | RuntimeException ignored) {
            logger.debug("closing a workspace event stream failed error={}", ignored.toString());
        }
    }

    @Override
    public void close() {
        Closeable old;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            old = stream;
            stream = null;
        }
        scheduler.shutdownNow();
        closeQuietly(old);
        logger.info("workspace watch closed engine={}", engine);
    }

    /** A sink bound to one opened stream, so that a replaced stream's late calls change nothing. */
    private final class GenerationSink implements Sink {
        private final int generation;

        GenerationSink(int generation) {
            this.generation = generation;
        }

        @Override
        public void connected() {
            ReconnectingWatch.this.connected(generation);
        }

        @Override
        public void event(WorkspaceEvent event) {
            ReconnectingWatch.this.event(generation, event);
        }

        @Override
        public void broken(@Nullable Throwable cause) {
            ReconnectingWatch.this.broken(generation, cause);
        }
    }
}
