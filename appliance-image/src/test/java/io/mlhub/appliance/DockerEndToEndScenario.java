package io.mlhub.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;

/**
 * The end-to-end flow with the Docker spawner: the workspace is a container of the realistic image (Jupyter and
 * sshd), its limits are the container's cgroup limits, and it is found by the label {@code mlhub.origin}.
 * Needs the image {@value #IMAGE} from {@code src/test-images/build-test-images}.
 */
abstract class DockerEndToEndScenario extends EndToEndScenario {
    static final String IMAGE = "mlhub-test-jupyter:latest";

    private String containerId;

    @BeforeAll
    void requireImage() throws Exception {
        OpenSsh.Result image = OpenSsh.run(List.of("docker", "image", "inspect", "--format", "{{.Id}}", IMAGE), 30);
        assertThat(image.exitCode()).as("%s is missing: run appliance-image/src/test-images/build-test-images (%s)",
                IMAGE, image.output()).isZero();
    }

    @Override
    List<String> extraConfig() {
        return List.of("workspaceImages: [" + IMAGE + ", mlhub-test-tiny:latest]");
    }

    @Override
    String loginUser() {
        return "root";
    }

    @Override
    String remoteFile() {
        return "/tmp/upload.txt";
    }

    @Override
    void noteWorkspace() throws Exception {
        containerId = onlyContainer();
        assertThat(docker("inspect", "--format", "{{.Config.Image}}", containerId)).isEqualTo(IMAGE);
        String apiUrl = docker("exec", containerId, "printenv", "JUPYTERHUB_API_URL");
        assertHubApiUrl(apiUrl);
        String info = docker("exec", containerId, "python3", "-c",
                "import os, urllib.request; print(urllib.request.urlopen(os.environ['JUPYTERHUB_API_URL']).read().decode())");
        assertThat(info).as("the workspace reaches the hub API at %s", apiUrl).contains("\"version\"");
    }

    /** Asserts the hub API URL handed to the workspace. Its port is chosen at start, so runs check the rest. */
    abstract void assertHubApiUrl(String url) throws Exception;

    @Override
    void assertLimits(List<String> limits) {
        assertThat(limits).as("cpu quota and period, then memory limit")
                .containsExactly("50000 100000", Long.toString(512L << 20));
    }

    @Override
    void assertWorkspaceRuns() throws Exception {
        assertThat(docker("inspect", "--format", "{{.State.Running}}", containerId)).isEqualTo("true");
    }

    @Override
    void assertSameWorkspace() throws Exception {
        assertThat(onlyContainer()).as("the same container was adopted").isEqualTo(containerId);
    }

    @Override
    void assertWorkspaceRemoved() throws Exception {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(containers()).as("containers of this hub after cleanup").isEmpty());
        JsonNode servers = alice.getJson("/hub/api/user").path("servers");
        assertThat(servers.has(SERVER)).as("alice's servers: %s", servers).isFalse();
    }

    @Override
    void removeLeftovers() throws Exception {
        if (hubName == null) {
            return;
        }
        removeByLabel("container", List.of("ps", "-aq"), List.of("rm", "-f", "-v"));
        removeByLabel("network", List.of("ls", "-q"), List.of("rm"));
        removeByLabel("volume", List.of("ls", "-q"), List.of("rm", "-f"));
    }

    String onlyContainer() throws Exception {
        List<String> ids = containers();
        assertThat(ids).as("containers of this hub").hasSize(1);
        return ids.getFirst();
    }

    private List<String> containers() throws Exception {
        String output = docker("ps", "-aq", "--no-trunc", "--filter", "label=mlhub.origin=" + hubName);
        return output.isEmpty() ? List.of() : output.lines().toList();
    }

    private void removeByLabel(String kind, List<String> list, List<String> remove) throws Exception {
        List<String> listCommand = new ArrayList<>(List.of("docker", kind));
        listCommand.addAll(list);
        listCommand.addAll(List.of("--filter", "label=mlhub.origin=" + hubName));
        String ids = OpenSsh.run(listCommand, 60).output().strip();
        if (ids.isEmpty()) {
            return;
        }
        List<String> removeCommand = new ArrayList<>(List.of("docker", kind));
        removeCommand.addAll(remove);
        removeCommand.addAll(ids.lines().toList());
        OpenSsh.run(removeCommand, 120);
    }

    static String docker(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(arguments));
        OpenSsh.Result result = OpenSsh.run(command, 60);
        assertThat(result.exitCode()).as("%s: %s", command, result.output()).isZero();
        return result.output().strip();
    }
}
