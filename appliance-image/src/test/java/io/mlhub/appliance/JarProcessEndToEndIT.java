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
     * NOTE: process mode records the CPU and memory limits but does not enforce them, so the cell only has to run.
     * Assert the cgroup values here once workspace processes get cgroup limits.
     */
    @Override
    void assertLimits(List<String> limits) {
        assertThat(limits).as("cpu quota and period, then memory limit").hasSize(2);
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
