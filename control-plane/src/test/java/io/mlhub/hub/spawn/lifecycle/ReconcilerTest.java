package io.mlhub.hub.spawn.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlhub.hub.spawn.WorkspaceRef;
import io.mlhub.hub.spawn.process.ProcessSpawner;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reconciles a restarted hub's store against real workspace processes left by the previous hub. */
@Tag("slow")
class ReconcilerTest {
    @TempDir
    Path data;

    private ProcessSpawner restarted;

    @AfterEach
    void deleteWorkspaces() throws Exception {
        ProcessWorkspaces.deleteAll(restarted);
    }

    @Test
    void restartedHubAdoptsAndRepairs() throws Exception {
        ProcessSpawner previous = ProcessWorkspaces.spawner(data);
        WorkspaceRef running = ProcessWorkspaces.start(previous, "alice", "", null);
        WorkspaceRef orphan = ProcessWorkspaces.start(previous, "carol", "", null);
        WorkspaceRef died = ProcessWorkspaces.start(previous, "dave", "x", null);
        previous.stop(died);
        previous.close();
        WorkspaceRef vanished = new WorkspaceRef("mlhub", "bob", "");
        InMemoryRegistry registry = new InMemoryRegistry()
                .server(running, false)
                .server(vanished, true)
                .server(died, true);

        restarted = ProcessWorkspaces.spawner(data);
        Reconciler.Report report = new Reconciler(restarted, registry, true).reconcile();

        assertThat(report.running()).containsExactly(running);
        assertThat(report.markedStopped()).containsExactlyInAnyOrder(vanished, died);
        assertThat(report.orphans()).containsExactly(orphan);
        assertThat(registry.servers).containsEntry(running, true).containsEntry(vanished, false)
                .containsEntry(died, false);
        assertThat(restarted.status(running).orElseThrow().running()).as("reconcile never stops a server").isTrue();
        assertThat(restarted.status(orphan)).isEmpty();
    }

    @Test
    void exitedProcessMarkedStoppedByWatch() throws Exception {
        restarted = ProcessWorkspaces.spawner(data);
        WorkspaceRef dying = ProcessWorkspaces.start(restarted, "frank", "", null);
        WorkspaceRef staying = ProcessWorkspaces.start(restarted, "gail", "", null);
        InMemoryRegistry registry = new InMemoryRegistry().server(dying, true).server(staying, true);
        long pid = Long.parseLong(restarted.status(dying).orElseThrow().engineId());

        try (Reconciler reconciler = new Reconciler(restarted, registry, true)) {
            reconciler.startPeriodic(Duration.ofMinutes(10));
            assertThat(reconciler.watchEngine()).as("the process spawner offers a watch").isTrue();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();

            await().atMost(Duration.ofSeconds(10)).until(() -> !registry.servers.get(dying));
        }
        assertThat(registry.servers).containsEntry(staying, true);
    }

    @Test
    void orphansAreKeptWhenRemovalIsOff() throws Exception {
        restarted = ProcessWorkspaces.spawner(data);
        WorkspaceRef orphan = ProcessWorkspaces.start(restarted, "erin", "", null);

        Reconciler.Report report = new Reconciler(restarted, new InMemoryRegistry(), false).reconcile();

        assertThat(report.orphans()).containsExactly(orphan);
        assertThat(restarted.status(orphan).orElseThrow().running()).isTrue();
    }
}
