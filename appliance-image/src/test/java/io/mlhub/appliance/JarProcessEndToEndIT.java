package io.mlhub.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The end-to-end flow on the built jar in process mode: the workspace is a real {@code jupyterhub-singleuser} with
 * its own sshd, both child processes of the hub that run as the hub's OS user, so SSH logs in as that user.
 */
class JarProcessEndToEndIT extends EndToEndScenario {
    private HubProcess process;
    private String engineId;
    private List<Long> workspaceProcesses;

    @Override
    HubRunner createHub(Path directory, String hubName, String yaml) throws Exception {
        Path data = Files.createDirectories(directory.resolve("data"));
        Path config = Files.writeString(directory.resolve("mlhub.yaml"), yaml);
        process = new HubProcess(data, HubProcess.freePort(), HubProcess.env(
                "HUB_NAME", hubName,
                "EXECUTION_MODE", "process",
                "SSL_ENABLED", "true",
                "HUB_CONFIG", config.toString()));
        return process;
    }

    @Override
    char hubNamePrefix() {
        return 'p';
    }

    @Override
    List<String> extraConfig() {
        return List.of();
    }

    @Override
    String loginUser() {
        return System.getProperty("user.name");
    }

    @Override
    String remoteFile() {
        return directory.resolve("in-workspace.txt").toString();
    }

    @Override
    void noteWorkspace() throws Exception {
        engineId = engineId();
        assertThat(engineId).as("engine id of lab").isNotBlank();
        workspaceProcesses = process.liveDescendants();
        assertThat(workspaceProcesses).as("workspace processes").isNotEmpty();
    }

    /**
     * Reads the limits from the kernel's own cgroup: a workspace process shares the machine's cgroup file system,
     * so the files at its root belong to the machine, not to the workspace.
     */
    @Override
    String limitsCell() {
        return String.join("\n",
                "import os",
                "groups = {}",
                "for line in open('/proc/self/cgroup'):",
                "    _, controllers, path = line.rstrip('\\n').split(':', 2)",
                "    for controller in controllers.split(','):",
                "        groups[controller] = path.strip('/')",
                "def read(*parts):",
                "    return open(os.path.join('/sys/fs/cgroup', *[p for p in parts if p])).read().strip()",
                "if 'cpu' in groups:",
                "    print(read('cpu', groups['cpu'], 'cpu.cfs_quota_us') + ' '",
                "        + read('cpu', groups['cpu'], 'cpu.cfs_period_us'))",
                "    print(read('memory', groups['memory'], 'memory.limit_in_bytes'))",
                "else:",
                "    print(read(groups[''], 'cpu.max'))",
                "    print(read(groups[''], 'memory.max'))");
    }

    @Override
    void assertLimits(List<String> limits) {
        assertThat(limits).as("cpu quota and period, then memory limit of the kernel's cgroup")
                .containsExactly("50000 100000", Long.toString(512L << 20));
    }

    @Override
    void assertWorkspaceRuns() {
        assertThat(process.liveDescendants()).as("workspace processes while the hub is stopped")
                .containsAll(workspaceProcesses);
    }

    @Override
    void assertSameWorkspace() throws Exception {
        assertThat(engineId()).as("the same workspace was adopted").isEqualTo(engineId);
    }

    @Override
    void assertWorkspaceRemoved() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(workspaceProcesses)
                .noneMatch(HubProcess::isRunning));
    }

    @Override
    void removeLeftovers() {
        // HubProcess.stopAll stops every process the hub started.
    }

    private String engineId() throws Exception {
        return admin.getJson("/hub/api/users/alice").path("servers").path(SERVER).path("state").path("engine_id")
                .asText(null);
    }
}
