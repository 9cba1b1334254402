package io.mlhub.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs Debian's JupyterHub 3.0 with {@code mlhub.jar proxy} as its configurable-http-proxy: the hub starts
 * the proxy itself, writes its routes through the route API, and a browser request through the public port
 * reaches the hub's login page. Needs the packaged jar, so it runs in {@code mvn verify}.
 */
@Tag("slow")
class JupyterHubProxyIT {
    private static final String TOKEN = "jupyterhub-proxy-test-token";

    @TempDir
    Path directory;

    private Process hub;

    @AfterEach
    void stopHub() throws Exception {
        if (hub != null && hub.isAlive()) {
            hub.destroy();
            if (!hub.waitFor(20, TimeUnit.SECONDS)) {
                hub.destroyForcibly();
            }
        }
    }

    @Test
    void hubLoginPageThroughProxy() throws Exception {
        Path jar = Path.of(System.getProperty("mlhub.jar", "target/mlhub.jar")).toAbsolutePath();
        assertThat(jar).as("built by mvn package").isRegularFile();
        int publicPort = freePort();
        int apiPort = freePort();
        int hubPort = freePort();
        Path config = writeConfig(jar, publicPort, apiPort, hubPort);
        Path log = directory.resolve("jupyterhub.log");

        hub = new ProcessBuilder("/usr/bin/jupyterhub", "-f", config.toString())
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();

        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest login = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + publicPort + "/hub/login"))
                .timeout(Duration.ofSeconds(5))
                .build();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .untilAsserted(() -> {
                    assertThat(hub.isAlive()).as("jupyterhub runs: %s", Files.readString(log)).isTrue();
                    HttpResponse<String> response = client.send(login, HttpResponse.BodyHandlers.ofString());
                    assertThat(response.statusCode()).isEqualTo(200);
                    assertThat(response.body()).contains("Sign in");
                });

        HttpRequest routes = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/api/routes"))
                .header("Authorization", "token " + TOKEN)
                .build();
        HttpResponse<String> table = client.send(routes, HttpResponse.BodyHandlers.ofString());
        assertThat(table.statusCode()).isEqualTo(200);
        assertThat(table.body()).as("the hub wrote its own route").contains("\"/\"").contains("\"hub\":true");

        // The hub reads the route table every last_activity_interval (2 s here) and parses last_activity.
        Thread.sleep(5000);
        String hubLog = Files.readString(log);
        assertThat(hubLog).as("routes read back match what the hub wrote")
                .doesNotContain("Adding missing route")
                .doesNotContain("Deleting stale route");
        assertThat(hubLog).doesNotContain("Traceback");

        long proxyPid = Long.parseLong(Files.readString(directory.resolve("proxy.pid")).strip());
        hub.destroy();
        assertThat(hub.waitFor(30, TimeUnit.SECONDS)).as("jupyterhub stops").isTrue();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(ProcessHandle.of(proxyPid)
                .map(ProcessHandle::isAlive).orElse(false)).as("the hub stopped the proxy").isFalse());
        assertThat(Files.readString(log)).contains("proxy ready");
    }

    private Path writeConfig(Path jar, int publicPort, int apiPort, int hubPort) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String config = String.join("\n",
                "c.JupyterHub.ip = '127.0.0.1'",
                "c.JupyterHub.port = " + publicPort,
                "c.JupyterHub.hub_ip = '127.0.0.1'",
                "c.JupyterHub.hub_port = " + hubPort,
                "c.JupyterHub.authenticator_class = 'dummy'",
                "c.JupyterHub.last_activity_interval = 2",
                "c.JupyterHub.db_url = 'sqlite:///" + directory.resolve("jupyterhub.sqlite") + "'",
                "c.JupyterHub.cookie_secret_file = '" + directory.resolve("cookie_secret") + "'",
                "c.ConfigurableHTTPProxy.should_start = True",
                "c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:" + apiPort + "'",
                "c.ConfigurableHTTPProxy.auth_token = '" + TOKEN + "'",
                "c.ConfigurableHTTPProxy.pid_file = '" + directory.resolve("proxy.pid") + "'",
                "c.ConfigurableHTTPProxy.command = ['" + java + "', '-jar', '" + jar + "', 'proxy']",
                "");
        return Files.writeString(directory.resolve("jupyterhub_config.py"), config);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
