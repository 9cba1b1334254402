package io.mlhub.hub.spawn.lifecycle;

import io.mlhub.hub.spawn.SpawnException;
import io.mlhub.hub.spawn.WorkspaceOptions;
import io.mlhub.hub.spawn.WorkspaceRef;
import io.mlhub.hub.spawn.WorkspaceSpec;
import io.mlhub.hub.spawn.process.ProcessSpawner;
import io.mlhub.hub.spawn.process.ProcessSpawnerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Starts cheap real workspaces (a sleeping shell) with the process spawner for the lifecycle tests. */
final class ProcessWorkspaces {
    private ProcessWorkspaces() {}

    static ProcessSpawner spawner(Path data) {
        return new ProcessSpawner(ProcessSpawnerConfig.defaults(data)
                .withCommand(List.of("sh", "-c", "exec sleep 600"))
                .withSshd(false)
                .withStopTimeout(Duration.ofSeconds(2)));
    }

    static WorkspaceRef start(ProcessSpawner spawner, String user, String server, @Nullable Instant expiresAt)
            throws SpawnException {
        WorkspaceRef ref = new WorkspaceRef("mlhub", user, server);
        WorkspaceOptions options = new WorkspaceOptions("sleep", null, null, 0, List.of(), Map.of(), null, null, false);
        spawner.start(new WorkspaceSpec(ref, options, Map.of(), "/user/" + user + "/", List.of(), expiresAt),
                (percent, message) -> {});
        return ref;
    }

    static void deleteAll(ProcessSpawner spawner) throws SpawnException {
        for (var status : spawner.list()) {
            spawner.delete(status.ref(), true);
        }
    }
}
