package io.mlhub.hub.spawn.docker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Network;
import com.sun.net.httpserver.HttpServer;
import io.mlhub.hub.spawn.StartedWorkspace;
import io.mlhub.hub.spawn.WorkspaceOptions;
import io.mlhub.hub.spawn.WorkspaceReadiness;
import io.mlhub.hub.spawn.WorkspaceRef;
import io.mlhub.hub.spawn.WorkspaceSpec;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the realistic test image (Debian's jupyterhub-singleuser and OpenSSH sshd) through the Docker
 * spawner. A tiny HTTP server on the user network's gateway address plays the hub's API.
 */
@Tag("slow")
class DockerJupyterWorkspaceTest {
    private static final String JUPYTER = "mlhub-test-jupyter:latest";

    @TempDir
    Path keys;

    private final String hubName = DockerSpawnerTest.uniqueHubName();
    private final List<String> hubRequests = new CopyOnWriteArrayList<>();
    private DockerSpawner spawner;
    private DockerClient docker;
    private HttpServer hub;

    @BeforeEach
    void createSpawner() {
        DockerSpawnerConfig config = DockerSpawnerConfig.defaults(hubName).withStopTimeout(Duration.ofSeconds(5));
        spawner = new DockerSpawner(config);
        docker = spawner.client();
        assumeTrue(DockerSpawnerTest.imageExists(docker, JUPYTER), "image " + JUPYTER + " is missing; build it "
                + "with appliance-image/src/test-images/build-test-images (bin/test does this first)");
    }

    @AfterEach
    void removeEverything() throws Exception {
        if (hub != null) {
            hub.stop(0);
        }
        DockerSpawnerTest.removeAll(docker, hubName);
        spawner.close();
    }

    @Test
    void jupyterServesAndSshdTakesUpdatedKeys() throws Exception {
        String gateway = prepareNetworkAndHub("alice");
        Path oldKey = keyPair("old");
        Path newKey = keyPair("new");
        WorkspaceSpec spec = spec("alice", gateway, List.of(Files.readString(oldKey.resolveSibling("old.pub"))));

        StartedWorkspace workspace = spawner.start(spec, (percent, message) -> {});
        URI api = workspace.httpTarget().resolve("/user/alice/api");
        new WorkspaceReadiness().awaitReady(spawner, spec.ref(), api, Duration.ofSeconds(90));
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(api).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"version\"");
        assertThat(hubRequests).as("the server checked the hub's version").contains("GET /hub/api");

        String host = workspace.sshAddress().getHostString();
        assertThat(ssh(oldKey, host, "echo $((6 * 7))")).isEqualTo("42");
        assertThat(ssh(newKey, host, "true")).startsWith("failed");

        spawner.updateSshKeys(spec.ref(), List.of(Files.readString(newKey.resolveSibling("new.pub"))));

        assertThat(ssh(newKey, host, "echo updated")).isEqualTo("updated");
        assertThat(ssh(oldKey, host, "true")).as("the removed key no longer logs in").startsWith("failed");
    }

    /** Creates the user's network as the spawner would and starts the hub stand-in on its gateway address. */
    private String prepareNetworkAndHub(String user) throws Exception {
        String name = new UserNetworks(docker, DockerSpawnerConfig.defaults(hubName)).ensure(user);
        Network network = docker.inspectNetworkCmd().withNetworkId(name).exec();
        String gateway = network.getIpam().getConfig().getFirst().getGateway();

        hub = HttpServer.create(new InetSocketAddress(InetAddress.getByName(gateway), 0), 0);
        hub.createContext("/", exchange -> {
            hubRequests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
            byte[] body = "{}".getBytes(UTF_8);
            exchange.getResponseHeaders().add("X-JupyterHub-Version", "3.0.0");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        hub.start();
        return gateway;
    }

    private WorkspaceSpec spec(String user, String gateway, List<String> sshKeys) {
        String prefix = "/user/" + user + "/";
        String hubApi = "http://" + gateway + ":" + hub.getAddress().getPort() + "/hub/api";
        Map<String, String> environment = Map.of(
                "JUPYTERHUB_API_TOKEN", "test-token",
                "JUPYTERHUB_CLIENT_ID", "jupyterhub-user-" + user,
                "JUPYTERHUB_API_URL", hubApi,
                "JUPYTERHUB_BASE_URL", "/",
                "JUPYTERHUB_USER", user,
                "JUPYTERHUB_SERVER_NAME", "",
                "JUPYTERHUB_OAUTH_CALLBACK_URL", prefix + "oauth_callback");
        WorkspaceOptions options = new WorkspaceOptions(JUPYTER, 1.0, 512L << 20, 0, List.of(), Map.of(), null, null,
                false);
        return new WorkspaceSpec(new WorkspaceRef(hubName, user, ""), options, environment, prefix, sshKeys, null);
    }

    private Path keyPair(String name) throws Exception {
        Path key = keys.resolve(name);
        Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString())
                .redirectErrorStream(true).start();
        assertThat(keygen.waitFor()).isZero();
        return key;
    }

    /** Runs {@code command} as root in the workspace with the real OpenSSH client; returns its output or "failed". */
    private static String ssh(Path key, String host, String command) throws Exception {
        Process ssh = new ProcessBuilder("ssh", "-i", key.toString(), "-o", "BatchMode=yes",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes",
                "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10", "root@" + host, command)
                .redirectErrorStream(true).start();
        String output = new String(ssh.getInputStream().readAllBytes(), UTF_8).strip();
        return ssh.waitFor() == 0 ? output : "failed: " + output;
    }
}
