package io.mlhub.hub.spawn.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlhub.hub.spawn.WorkspaceRef;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class IdleCullerTest {
    private static final Duration IDLE = Duration.ofHours(1);
    private static final WorkspaceRef IDLE_SERVER = new WorkspaceRef("mlhub", "alice", "");
    private static final WorkspaceRef ACTIVE_SERVER = new WorkspaceRef("mlhub", "bob", "");

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T12:00:00Z"));
    private final InMemoryRegistry registry = new InMemoryRegistry()
            .server(IDLE_SERVER, true)
            .server(ACTIVE_SERVER, true);
    private final Map<WorkspaceRef, Instant> activity = new ConcurrentHashMap<>(Map.of(
            IDLE_SERVER, clock.instant().minus(Duration.ofHours(2)),
            ACTIVE_SERVER, clock.instant().minus(Duration.ofMinutes(5))));
    private final List<WorkspaceRef> stopped = new CopyOnWriteArrayList<>();

    @Test
    void idleServerIsStoppedAndActiveOneKept() {
        try (IdleCuller culler = culler(ref -> stopped.add(ref), 4)) {
            List<WorkspaceRef> started = culler.cull();

            assertThat(started).containsExactly(IDLE_SERVER);
            await().atMost(5, TimeUnit.SECONDS).until(() -> stopped.contains(IDLE_SERVER));
            assertThat(stopped).doesNotContain(ACTIVE_SERVER);
        }
    }

    @Test
    void stoppedServersAreSkipped() {
        registry.server(IDLE_SERVER, false);

        try (IdleCuller culler = culler(ref -> stopped.add(ref), 4)) {
            assertThat(culler.cull()).isEmpty();
        }
    }

    @Test
    void failedStopIsRetriedByTheNextPass() {
        AtomicInteger attempts = new AtomicInteger();
        try (IdleCuller culler = culler(ref -> {
            if (attempts.incrementAndGet() == 1) {
                throw new IllegalStateException("engine busy");
            }
            stopped.add(ref);
        }, 4)) {
            assertThat(culler.cull()).containsExactly(IDLE_SERVER);
            await().atMost(5, TimeUnit.SECONDS).until(() -> !culler.isStopping(IDLE_SERVER));

            assertThat(culler.cull()).containsExactly(IDLE_SERVER);
            await().atMost(5, TimeUnit.SECONDS).until(() -> stopped.contains(IDLE_SERVER));
        }
        assertThat(attempts).hasValue(2);
    }

    @Test
    void slowStopIsNotStartedTwice() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        try (IdleCuller culler = culler(ref -> {
            calls.incrementAndGet();
            release.await();
        }, 4)) {
            assertThat(culler.cull()).containsExactly(IDLE_SERVER);
            assertThat(culler.cull()).as("the first stop still runs").isEmpty();

            release.countDown();
            await().atMost(5, TimeUnit.SECONDS).until(() -> !culler.isStopping(IDLE_SERVER));
        }
        assertThat(calls).hasValue(1);
    }

    @Test
    void concurrentStopsAreLimited() {
        WorkspaceRef secondIdle = new WorkspaceRef("mlhub", "carol", "");
        registry.server(secondIdle, true);
        activity.put(secondIdle, clock.instant().minus(Duration.ofHours(3)));
        CountDownLatch release = new CountDownLatch(1);

        try (IdleCuller culler = culler(ref -> release.await(), 1)) {
            assertThat(culler.cull()).hasSize(1);
            assertThat(culler.cull()).as("the only stop slot is taken").isEmpty();
            release.countDown();
        }
    }

    @Test
    void unseenServerIdleAfterTimeout() {
        WorkspaceRef quiet = new WorkspaceRef("mlhub", "dave", "");
        registry.servers.clear();
        registry.server(quiet, true);

        try (IdleCuller culler = culler(ref -> stopped.add(ref), 4)) {
            assertThat(culler.cull()).as("first seen now").isEmpty();

            clock.advance(IDLE.plusMinutes(1));

            assertThat(culler.cull()).containsExactly(quiet);
        }
    }

    @Test
    void manyServersAreCheckedInOnePass() {
        registry.servers.clear();
        for (int i = 0; i < 10_000; i++) {
            WorkspaceRef ref = new WorkspaceRef("mlhub", "user" + i, "");
            registry.server(ref, true);
            activity.put(ref, clock.instant().minus(i % 2 == 0 ? Duration.ofHours(2) : Duration.ofMinutes(1)));
        }

        try (IdleCuller culler = culler(ref -> stopped.add(ref), 10_000)) {
            assertThat(culler.cull()).hasSize(5_000);
        }
    }

    private IdleCuller culler(IdleCuller.ServerStopper stopper, int maxConcurrentStops) {
        return new IdleCuller(registry, () -> Map.copyOf(activity), stopper, IDLE, maxConcurrentStops, clock);
    }

    /** A clock the test moves forward by hand. */
    private static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
