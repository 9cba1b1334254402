package io.mlhub.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The end-to-end flow on the hub's container image ({@code mlhub:local}, built from the jar under test) with the
 * Docker spawner: the hub container finds itself, joins alice's network and reaches her workspace there, and the
 * workspace reaches the hub API by the hub container's name. SIGKILL is {@code docker kill -s KILL}; every start
 * after the first runs a new container on the same data volume.
 */
class ImageDockerEndToEndIT extends DockerEndToEndScenario {
    private ContainerHub containerHub;

    @Override
    HubRunner createHub(Path directory, String hubName, String yaml) throws Exception {
        LocalImage.build();
        int port = HubProcess.freePort();
        Path configDir = Files.createDirectories(directory.resolve("config"));
        Files.writeString(configDir.resolve("hub.yaml"), yaml + "  publicPort: " + port + "\n");
        containerHub = new ContainerHub("mlhub-it-" + hubName, configDir, port, List.of(
                "EXECUTION_MODE=local",
                "HUB_NAME=" + hubName,
                "SSL_ENABLED=true"));
        return containerHub;
    }

    @Override
    char hubNamePrefix() {
        return 'i';
    }

    /** Expects the hub container's name, which Docker's DNS resolves on alice's network. */
    @Override
    void assertHubApiUrl(String url) {
        assertThat(url).startsWith("http://" + containerHub.containerName() + ":").endsWith("/hub/api");
    }

    @Override
    void noteWorkspace() throws Exception {
        super.noteWorkspace();
        String name = containerHub.containerName();
        assertThat(hub.log()).as("the hub found its own container")
                .contains("hub runs in a container engine=docker container=" + name);
        String network = docker("network", "ls", "--format", "{{.Name}}", "--filter",
                "label=mlhub.origin=" + hubName);
        String attached = docker("inspect", "-f",
                "{{range $name, $n := .NetworkSettings.Networks}}{{$name}} {{end}}", name);
        assertThat(attached.split(" ")).as("networks of the hub container").contains(network);
    }
}
