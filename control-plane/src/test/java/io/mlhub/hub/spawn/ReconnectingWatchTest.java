package io.mlhub.hub.spawn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The reconnect logic of a watch over an injected event source that fails on demand. */
class ReconnectingWatchTest {
    private static final WorkspaceRef REF = new WorkspaceRef("hub", "alice", "");

    /** An event source whose first {@code failures} opens fail and whose open streams the test drives. */
    private static final class ScriptedSource implements ReconnectingWatch.Source {
        final AtomicInteger opens = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();
        final List<ReconnectingWatch.Sink> sinks = new CopyOnWriteArrayList<>();
        volatile int failures;

        @Override
        public Closeable open(ReconnectingWatch.Sink sink) throws IOException {
            if (opens.incrementAndGet() <= failures) {
                throw new IOException("engine unreachable");
            }
            sinks.add(sink);
            sink.connected();
            return closes::incrementAndGet;
        }

        ReconnectingWatch.Sink latest() {
            return sinks.getLast();
        }
    }

    private static final class RecordingListener implements WorkspaceWatch.Listener {
        final List<WorkspaceEvent> events = new CopyOnWriteArrayList<>();
        final AtomicInteger connects = new AtomicInteger();

        @Override
        public void workspaceChanged(WorkspaceEvent event) {
            events.add(event);
        }

        @Override
        public void watchConnected() {
            connects.incrementAndGet();
        }
    }

    @Test
    void failedOpensRetriedUntilConnected() {
        ScriptedSource source = new ScriptedSource();
        source.failures = 3;
        RecordingListener listener = new RecordingListener();

        try (ReconnectingWatch watch = ReconnectingWatch.start("test", source, listener, Duration.ofMillis(10),
                Duration.ofMillis(40))) {
            await().atMost(Duration.ofSeconds(5)).until(() -> listener.connects.get() == 1);

            assertThat(source.opens.get()).isEqualTo(4);
            assertThat(listener.events).isEmpty();
        }
    }

    @Test
    void brokenStreamReopenedAndReconciledAgain() {
        ScriptedSource source = new ScriptedSource();
        RecordingListener listener = new RecordingListener();

        try (ReconnectingWatch watch = ReconnectingWatch.start("test", source, listener, Duration.ofMillis(10),
                Duration.ofMillis(40))) {
            await().atMost(Duration.ofSeconds(5)).until(() -> listener.connects.get() == 1);
            ReconnectingWatch.Sink first = source.latest();
            first.event(new WorkspaceEvent(REF, WorkspaceEvent.Kind.STOPPED, "die", 137));

            first.broken(new IOException("connection reset"));
            await().atMost(Duration.ofSeconds(5)).until(() -> listener.connects.get() == 2);
            first.event(new WorkspaceEvent(REF, WorkspaceEvent.Kind.REMOVED, "destroy", null));
            first.broken(null);
            source.latest().event(new WorkspaceEvent(REF, WorkspaceEvent.Kind.STARTED, "start", null));

            assertThat(listener.events).extracting(WorkspaceEvent::action).as("the replaced stream is ignored")
                    .containsExactly("die", "start");
            assertThat(source.opens.get()).isEqualTo(2);
            assertThat(source.closes.get()).as("the broken stream is closed").isEqualTo(1);
        }
    }

    @Test
    void endedStreamReopened() {
        ScriptedSource source = new ScriptedSource();
        RecordingListener listener = new RecordingListener();

        try (ReconnectingWatch watch = ReconnectingWatch.start("test", source, listener, Duration.ofMillis(10),
                Duration.ofMillis(40))) {
            await().atMost(Duration.ofSeconds(5)).until(() -> listener.connects.get() == 1);
            source.failures = source.opens.get() + 3;
            source.latest().broken(null);

            await().atMost(Duration.ofSeconds(5)).until(() -> listener.connects.get() == 2);
            assertThat(source.opens.get()).as("three failed opens, then one that works").isEqualTo(5);
        }
    }

    @Test
    void closedWatchStopsReconnecting() throws Exception {
        ScriptedSource source = new ScriptedSource();
        RecordingListener listener = new RecordingListener();
        ReconnectingWatch watch = ReconnectingWatch.start("test", source, listener, Duration.ofMillis(10),
                Duration.ofMillis(40));
        await().atMost(Duration.ofSeconds(5)).until(() -> listener.connects.get() == 1);

        watch.close();
        source.latest().broken(new IOException("closed by the watch"));
        source.latest().event(new WorkspaceEvent(REF, WorkspaceEvent.Kind.STOPPED, "die", 0));
        Thread.sleep(100);

        assertThat(source.closes.get()).isEqualTo(1);
        assertThat(source.opens.get()).isEqualTo(1);
        assertThat(listener.events).isEmpty();
    }
}
