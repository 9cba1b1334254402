package io.mlhub.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;

/** The end-to-end flow on the built jar, run on the host, with the Docker spawner. */
class JarDockerEndToEndIT extends DockerEndToEndScenario {
    @Override
    HubRunner createHub(Path directory, String hubName, String yaml) throws Exception {
        Path data = Files.createDirectories(directory.resolve("data"));
        Path config = Files.writeString(directory.resolve("mlhub.yaml"), yaml);
        return new HubProcess(data, HubProcess.freePort(), HubProcess.env(
                "HUB_NAME", hubName,
                "EXECUTION_MODE", "local",
                "SSL_ENABLED", "true",
                "HUB_CONFIG", config.toString()));
    }

    @Override
    char hubNamePrefix() {
        return 'd';
    }

    /** Expects the Docker bridge's address, which containers reach through their network's gateway. */
    @Override
    void assertHubApiUrl(String url) throws Exception {
        String bridge = NetworkInterface.getByName("docker0").inetAddresses()
                .filter(Inet4Address.class::isInstance)
                .map(InetAddress::getHostAddress)
                .findFirst()
                .orElseThrow();
        assertThat(url).startsWith("http://" + bridge + ":").endsWith("/hub/api");
    }

    @Override
    void noteWorkspace() throws Exception {
        super.noteWorkspace();
        assertThat(hub.log()).as("the hub knows it runs on the host").contains("hub runs on the host");
    }
}
