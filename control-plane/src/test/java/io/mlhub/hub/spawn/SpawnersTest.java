package io.mlhub.hub.spawn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlhub.hub.config.ConfigException;
import io.mlhub.hub.config.ConfigLoader;
import io.mlhub.hub.config.HubConfig;
import io.mlhub.hub.spawn.docker.DockerSpawner;
import io.mlhub.hub.spawn.docker.DockerSpawnerConfig;
import io.mlhub.hub.spawn.process.ProcessSpawner;
import io.mlhub.hub.spawn.process.ProcessSpawnerConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpawnersTest {
    @TempDir
    Path dir;

    private HubConfig config(String executionMode) {
        return ConfigLoader.load(null, Map.of("EXECUTION_MODE", executionMode, "DATA_FOLDER", dir.toString()));
    }

    @Test
    void processModeBuildsTheProcessSpawnerWithOverrides() throws Exception {
        Path yaml = Files.writeString(dir.resolve("hub.yaml"), """
                spawner:
                  process:
                    command: [sh, -c, "exec sleep 1"]
                    sshd: false
                    stopTimeoutSeconds: 3
                """);

        Spawner spawner = Spawners.create(config("process"), yaml);
        ProcessSpawnerConfig settings = Spawners.processConfig(config("process"), processSection(yaml));

        assertThat(spawner).isInstanceOf(ProcessSpawner.class);
        assertThat(settings.command()).containsExactly("sh", "-c", "exec sleep 1");
        assertThat(settings.sshd()).isFalse();
        assertThat(settings.stopTimeout()).hasSeconds(3);
        ((ProcessSpawner) spawner).close();
    }

    @Test
    void kubernetesIsRejectedForNow() {
        assertThatThrownBy(() -> Spawners.create(config("k8s"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("EXECUTION_MODE=k8s")
                .hasMessageContaining("not supported yet");
    }

    @Test
    void badSectionsNameTheSetting() {
        HubConfig config = config("process");

        assertThatThrownBy(() -> Spawners.create(config, Map.of("swarm", Map.of())))
                .hasMessageContaining("spawner.swarm");
        assertThatThrownBy(() -> Spawners.create(config, Map.of("docker", Map.of("workspacePort", 0))))
                .hasMessageContaining("spawner.docker.workspacePort: 0");
        assertThatThrownBy(() -> Spawners.create(config, Map.of("docker", Map.of("host", "http://x"))))
                .hasMessageContaining("spawner.docker.host=http://x");
        assertThatThrownBy(() -> Spawners.create(config, Map.of("process", Map.of("command", List.of()))))
                .hasMessageContaining("spawner.process.command");
        assertThatThrownBy(() -> Spawners.create(config, Map.of("process", Map.of("stopTimeoutSeconds", -1))))
                .hasMessageContaining("spawner.process.stopTimeoutSeconds=-1");
    }

    @Test
    void unsetModeFallsBackToProcessesWithoutAnEngine() throws Exception {
        Path yaml = Files.writeString(dir.resolve("hub.yaml"), """
                spawner:
                  docker:
                    host: unix://%s/no-docker.sock
                """.formatted(dir));

        Spawner spawner = Spawners.create(config(""), yaml);

        assertThat(config("").executionMode()).isEqualTo(io.mlhub.hub.config.ExecutionMode.AUTO);
        assertThat(spawner).isInstanceOf(ProcessSpawner.class);
        ((ProcessSpawner) spawner).close();
    }

    @Test
    @Tag("slow")
    void unsetModeChoosesDockerWhenTheEngineAnswers() throws Exception {
        DockerSpawnerConfig defaults = DockerSpawnerConfig.defaults("mlhub");

        String problem = Spawners.pingProblem(defaults.dockerHost());
        Spawner spawner = Spawners.create(config(""), Map.of());

        assertThat(problem).isNull();
        assertThat(spawner).isInstanceOf(DockerSpawner.class);
        assertThat(Spawners.pingProblem(URI.create("unix://" + dir + "/none.sock"))).contains("does not exist");
        ((DockerSpawner) spawner).close();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> processSection(Path yaml) {
        return (Map<String, Object>) ConfigLoader.section(yaml, "spawner").get("process");
    }
}
