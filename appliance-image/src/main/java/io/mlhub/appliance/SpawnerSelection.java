package io.mlhub.appliance;

import io.mlhub.hub.config.HubConfig;
import io.mlhub.hub.spawn.Spawner;
import io.mlhub.hub.spawn.docker.DockerSpawner;
import io.mlhub.hub.spawn.docker.DockerSpawnerConfig;
import io.mlhub.hub.spawn.process.ProcessSpawner;
import io.mlhub.hub.spawn.process.ProcessSpawnerConfig;

/** Creates the spawner for {@code EXECUTION_MODE}. */
final class SpawnerSelection {
    private SpawnerSelection() {}

    // TODO: replace with the control plane's own selection, which also detects a Docker engine when unset.
    static Spawner create(HubConfig config) {
        return switch (config.executionMode()) {
            case LOCAL -> new DockerSpawner(DockerSpawnerConfig.defaults(config.hubName()));
            case PROCESS -> new ProcessSpawner(ProcessSpawnerConfig.defaults(config.dataDir()));
            case K8S -> throw new io.mlhub.hub.config.ConfigException(
                    "EXECUTION_MODE=k8s is not supported by this build yet (accepted: local, process)");
        };
    }
}
