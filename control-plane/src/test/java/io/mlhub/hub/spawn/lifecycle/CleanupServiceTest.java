package io.mlhub.hub.spawn.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlhub.hub.spawn.WorkspaceRef;
import io.mlhub.hub.spawn.WorkspaceStatus;
import io.mlhub.hub.spawn.process.ProcessSpawner;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the cleanup against real workspace processes of the process spawner. */
@Tag("slow")
class CleanupServiceTest {
    @TempDir
    Path data;

    private ProcessSpawner spawner;
    private final InMemoryRegistry registry = new InMemoryRegistry();

    @BeforeEach
    void createSpawner() {
        spawner = ProcessWorkspaces.spawner(data);
    }

    @AfterEach
    void deleteWorkspaces() throws Exception {
        ProcessWorkspaces.deleteAll(spawner);
    }

    @Test
    void expiredWorkspacesAreRemoved() throws Exception {
        Instant now = Instant.now();
        WorkspaceRef expired = ProcessWorkspaces.start(spawner, "alice", "old", now.minus(1, ChronoUnit.MINUTES));
        WorkspaceRef later = ProcessWorkspaces.start(spawner, "alice", "new", now.plus(1, ChronoUnit.DAYS));
        WorkspaceRef never = ProcessWorkspaces.start(spawner, "alice", "", null);
        registry.server(expired, true).server(later, true).server(never, true);

        CleanupService.Report report = new CleanupService(spawner, registry, Clock.systemUTC(), false).removeExpired();

        assertThat(report.removed()).containsExactly(expired);
        assertThat(report.failures()).isEmpty();
        assertThat(spawner.status(expired)).isEmpty();
        assertThat(registry.deleted).containsExactly(expired);
        assertThat(spawner.list()).extracting(WorkspaceStatus::ref).containsExactlyInAnyOrder(later, never);
        assertThat(spawner.list()).allMatch(WorkspaceStatus::running);
    }

    @Test
    void deletedUsersLoseTheirWorkspaces() throws Exception {
        WorkspaceRef alicesWorkspace = ProcessWorkspaces.start(spawner, "alice", "", null);
        WorkspaceRef bobsDefault = ProcessWorkspaces.start(spawner, "bob", "", null);
        WorkspaceRef bobsLab = ProcessWorkspaces.start(spawner, "bob", "lab", null);
        registry.users.add("alice");

        CleanupService.Report report = new CleanupService(spawner, registry, Clock.systemUTC(), false)
                .removeDeletedUsers();

        assertThat(report.removed()).containsExactlyInAnyOrder(bobsDefault, bobsLab);
        assertThat(report.removedUsers()).containsExactly("bob");
        assertThat(spawner.list()).extracting(WorkspaceStatus::ref).containsExactly(alicesWorkspace);
    }

    @Test
    void periodicCleanupRemovesExpiredWorkspaces() throws Exception {
        WorkspaceRef expired = ProcessWorkspaces.start(spawner, "carol", "", Instant.now().minusSeconds(1));
        registry.server(expired, true);

        try (CleanupService cleanup = new CleanupService(spawner, registry, Clock.systemUTC(), true)) {
            cleanup.startPeriodic(Duration.ofMillis(100));

            await().atMost(10, TimeUnit.SECONDS).until(() -> spawner.status(expired).isEmpty());
        }
        assertThat(registry.deleted).containsExactly(expired);
    }

    @Test
    void negativeIntervalDisablesPeriodicCleanup() throws Exception {
        WorkspaceRef expired = ProcessWorkspaces.start(spawner, "dave", "", Instant.now().minusSeconds(1));

        try (CleanupService cleanup = new CleanupService(spawner, registry, Clock.systemUTC(), true)) {
            cleanup.startPeriodic(Duration.ofSeconds(-1));
            Thread.sleep(300);
        }

        assertThat(spawner.status(expired)).isPresent();
    }
}
