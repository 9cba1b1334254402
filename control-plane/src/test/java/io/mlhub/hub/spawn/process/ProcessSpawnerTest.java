package io.mlhub.hub.spawn.process;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.mlhub.hub.spawn.SpawnException;
import io.mlhub.hub.spawn.StartedWorkspace;
import io.mlhub.hub.spawn.WorkspaceOptions;
import io.mlhub.hub.spawn.WorkspaceReadiness;
import io.mlhub.hub.spawn.WorkspaceRef;
import io.mlhub.hub.spawn.WorkspaceSpec;
import io.mlhub.hub.spawn.WorkspaceStatus;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs real {@code jupyterhub-singleuser} and OpenSSH sshd processes, with a tiny HTTP server as the hub. */
@Tag("slow")
class ProcessSpawnerTest {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final List<String> SLEEPER = List.of("sh", "-c", "echo sleeping; exec sleep 600");

    @TempDir
    Path data;

    private HttpServer hub;
    private final List<String> hubRequests = new CopyOnWriteArrayList<>();
    private final List<ProcessSpawner> spawners = new ArrayList<>();
    private final List<WorkspaceRef> started = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void startHubStandIn() throws IOException {
        hub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        // jupyterhub-singleuser 3.0 checks the hub's version with GET {JUPYTERHUB_API_URL} before it serves.
        hub.createContext("/", exchange -> {
            hubRequests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
            byte[] body = "{}".getBytes(UTF_8);
            exchange.getResponseHeaders().add("X-JupyterHub-Version", "3.0.0");
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        hub.start();
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (WorkspaceRef ref : started) {
            spawners.getFirst().delete(ref, true);
        }
        spawners.forEach(ProcessSpawner::close);
        hub.stop(0);
    }

    @Test
    void singleUserServerServesUnderItsPrefix() throws Exception {
        ProcessSpawner spawner = spawner(ProcessSpawnerConfig.defaults(data).withSshd(false));
        WorkspaceSpec spec = spec("alice", "", List.of());

        StartedWorkspace workspace = spawner.start(spec, (percent, message) -> {});
        new WorkspaceReadiness().awaitReady(spawner, spec.ref(), api(workspace, "/user/alice/"), READY_TIMEOUT);
        HttpResponse<String> response = get(api(workspace, "/user/alice/"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"version\"");
        assertThat(hubRequests).as("the server checked the hub's version").contains("GET /hub/api");
        assertThat(spawner.status(spec.ref())).get().extracting(WorkspaceStatus::running).isEqualTo(true);
        assertThat(workspace.sshAddress()).isNull();
    }

    @Test
    void stopAndStartAreIdempotent() throws Exception {
        ProcessSpawner spawner = spawner(ProcessSpawnerConfig.defaults(data).withSshd(false));
        WorkspaceSpec spec = spec("bob", "lab", List.of());

        StartedWorkspace first = spawner.start(spec, (percent, message) -> {});
        StartedWorkspace again = spawner.start(spec, (percent, message) -> {});
        new WorkspaceReadiness().awaitReady(spawner, spec.ref(), api(first, "/user/bob/lab/"), READY_TIMEOUT);

        assertThat(again.engineId()).as("a second start adopts the running process").isEqualTo(first.engineId());

        spawner.stop(spec.ref());
        spawner.stop(spec.ref());

        WorkspaceStatus stopped = spawner.status(spec.ref()).orElseThrow();
        assertThat(stopped.running()).isFalse();
        assertThat(ProcessHandle.of(Long.parseLong(first.engineId())).map(ProcessHandle::isAlive)).isNotEqualTo(
                java.util.Optional.of(true));

        StartedWorkspace restarted = spawner.start(spec, (percent, message) -> {});
        new WorkspaceReadiness().awaitReady(spawner, spec.ref(), api(restarted, "/user/bob/lab/"), READY_TIMEOUT);

        assertThat(restarted.engineId()).isNotEqualTo(first.engineId());
        assertThat(get(api(restarted, "/user/bob/lab/")).statusCode()).isEqualTo(200);
    }

    @Test
    void commandThatExitsAtOnceFailsFast() throws Exception {
        ProcessSpawner spawner = spawner(config(List.of("sh", "-c", "echo cannot open the notebook folder; exit 3")));
        WorkspaceSpec spec = spec("carol", "", List.of());

        StartedWorkspace workspace = spawner.start(spec, (percent, message) -> {});

        assertThatThrownBy(() -> new WorkspaceReadiness().awaitReady(spawner, spec.ref(),
                        api(workspace, "/user/carol/"), READY_TIMEOUT))
                .isInstanceOf(SpawnException.class)
                .hasMessageContaining("exited with code 3")
                .hasMessageContaining("cannot open the notebook folder");
    }

    @Test
    void missingCommandFailsTheStart() {
        ProcessSpawner spawner = spawner(config(List.of("/nonexistent/workspace-command")));

        assertThatThrownBy(() -> spawner.start(spec("dave", "", List.of()), (percent, message) -> {}))
                .isInstanceOf(SpawnException.class)
                .hasMessageContaining("failed to run the workspace command /nonexistent/workspace-command");
    }

    @Test
    void restartedHubAdoptsRunningWorkspaces() throws Exception {
        ProcessSpawner first = spawner(config(SLEEPER));
        WorkspaceSpec spec = spec("erin", "notes", List.of());
        StartedWorkspace workspace = first.start(spec, (percent, message) -> {});
        await().atMost(10, TimeUnit.SECONDS).until(
                () -> first.status(spec.ref()).orElseThrow().lastLogLines().contains("sleeping"));

        first.close();
        ProcessSpawner second = spawner(config(SLEEPER));
        List<WorkspaceStatus> listed = second.list();

        assertThat(listed).singleElement().satisfies(status -> {
            assertThat(status.ref()).isEqualTo(spec.ref());
            assertThat(status.running()).isTrue();
            assertThat(status.engineId()).isEqualTo(workspace.engineId());
            assertThat(status.httpTarget()).isEqualTo(workspace.httpTarget());
            assertThat(status.lastLogLines()).contains("sleeping");
        });

        second.stop(spec.ref());

        assertThat(ProcessHandle.of(Long.parseLong(workspace.engineId())).filter(ProcessHandle::isAlive)).isEmpty();
        assertThat(second.status(spec.ref())).get().extracting(WorkspaceStatus::running).isEqualTo(false);
    }

    @Test
    void workspaceSurvivesKilledHub() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process hubProcess = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                HubProcessMain.class.getName(), data.toString())
                .redirectErrorStream(true)
                .start();
        started.add(new WorkspaceRef("mlhub", "zoe", ""));
        String workspacePid;
        try (var output = new java.io.BufferedReader(new java.io.InputStreamReader(hubProcess.getInputStream()))) {
            String line;
            do {
                line = output.readLine();
            } while (line != null && !line.startsWith("started "));
            assertThat(line).as("the stand-in hub started a workspace").isNotNull();
            workspacePid = line.substring("started ".length());

            hubProcess.destroyForcibly();
            assertThat(hubProcess.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }

        ProcessSpawner restarted = spawner(config(SLEEPER));
        List<WorkspaceStatus> listed = restarted.list();

        assertThat(hubProcess.exitValue()).as("killed by SIGKILL").isEqualTo(137);
        assertThat(listed).singleElement().satisfies(status -> {
            assertThat(status.running()).as("the workspace outlived the hub").isTrue();
            assertThat(status.engineId()).isEqualTo(workspacePid);
        });
    }

    @Test
    void processIgnoringSigtermIsKilled() throws Exception {
        ProcessSpawner spawner = spawner(config(List.of("sh", "-c", "trap '' TERM; echo ready; "
                + "while true; do sleep 1; done")).withStopTimeout(Duration.ofMillis(500)));
        WorkspaceSpec spec = spec("frank", "", List.of());
        StartedWorkspace workspace = spawner.start(spec, (percent, message) -> {});
        await().atMost(10, TimeUnit.SECONDS).until(
                () -> spawner.status(spec.ref()).orElseThrow().lastLogLines().contains("ready"));

        spawner.stop(spec.ref());

        assertThat(ProcessHandle.of(Long.parseLong(workspace.engineId())).filter(ProcessHandle::isAlive)).isEmpty();
    }

    @Test
    void environmentExcludesHubSecrets() throws Exception {
        ProcessSpawner spawner = spawner(config(List.of("sh", "-c", "env > env.txt; exec sleep 600")));
        WorkspaceOptions options = new WorkspaceOptions("img", 1.5, null, 0, List.of(), Map.of("COLOUR", "blue"),
                null, null, false);
        WorkspaceSpec spec = new WorkspaceSpec(new WorkspaceRef("mlhub", "gina", ""), options,
                Map.of("JUPYTERHUB_API_TOKEN", "secret-token"), "/user/gina/", List.of(), null);
        started.add(spec.ref());

        StartedWorkspace workspace = spawner.start(spec, (percent, message) -> {});
        Path envFile = data.resolve("workspaces/ws-mlhub-gina/home/env.txt");
        await().atMost(10, TimeUnit.SECONDS).until(() -> Files.exists(envFile) && Files.size(envFile) > 0);
        List<String> environment = Files.readAllLines(envFile);

        int port = workspace.httpTarget().getPort();
        assertThat(environment).contains("COLOUR=blue", "JUPYTERHUB_API_TOKEN=secret-token", "MAX_NUM_THREADS=2",
                "WORKSPACE_PORT=" + port, "JUPYTERHUB_SERVICE_URL=http://127.0.0.1:" + port + "/user/gina/");
        assertThat(environment).anyMatch(line -> line.startsWith("HOME=") && line.endsWith("/home"));
        assertThat(environment).as("only a few variables of the hub's own environment are passed")
                .noneMatch(line -> line.startsWith("MAVEN_") || line.startsWith("JAVA_HOME="));
    }

    @Test
    void deleteKeepsOrRemovesTheHomeFolder() throws Exception {
        ProcessSpawner spawner = spawner(config(SLEEPER));
        WorkspaceRef keptHome = spec("hana", "a", List.of()).ref();
        WorkspaceRef removed = spec("hana", "b", List.of()).ref();
        spawner.start(spec("hana", "a", List.of()), (percent, message) -> {});
        spawner.start(spec("hana", "b", List.of()), (percent, message) -> {});

        spawner.delete(keptHome, false);
        spawner.delete(removed, true);

        assertThat(spawner.status(keptHome)).isEmpty();
        assertThat(spawner.status(removed)).isEmpty();
        assertThat(data.resolve("workspaces/ws-mlhub-hana-a/home")).isDirectory();
        assertThat(data.resolve("workspaces/ws-mlhub-hana-b")).doesNotExist();
        assertThat(spawner.list()).isEmpty();
    }

    @Test
    void sshdKeysUpdateWithoutRestart() throws Exception {
        Path oldKey = keyPair("old");
        Path newKey = keyPair("new");
        ProcessSpawner spawner = spawner(config(SLEEPER).withSshd(true));
        WorkspaceSpec spec = spec("ivan", "", List.of(Files.readString(oldKey.resolveSibling("old.pub"))));

        StartedWorkspace workspace = spawner.start(spec, (percent, message) -> {});
        int sshPort = workspace.sshAddress().getPort();

        assertThat(ssh(oldKey, sshPort, "echo hello from workspace")).isEqualTo("hello from workspace");
        assertThat(ssh(newKey, sshPort, "true")).startsWith("failed");

        spawner.updateSshKeys(spec.ref(), List.of(Files.readString(newKey.resolveSibling("new.pub"))));

        assertThat(ssh(newKey, sshPort, "echo updated")).isEqualTo("updated");
        assertThat(ssh(oldKey, sshPort, "true")).as("the removed key no longer logs in").startsWith("failed");
        assertThat(spawner.status(spec.ref()).orElseThrow().engineId()).isEqualTo(workspace.engineId());
    }

    @Test
    void invalidSshKeyIsRejected() throws Exception {
        ProcessSpawner spawner = spawner(config(SLEEPER).withSshd(true));
        WorkspaceSpec spec = spec("judy", "", List.of());
        spawner.start(spec, (percent, message) -> {});

        assertThatThrownBy(() -> spawner.updateSshKeys(spec.ref(),
                        List.of("command=\"sh\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA x")))
                .isInstanceOf(SpawnException.class)
                .hasMessageContaining("SSH public key 1 is invalid");
    }

    private ProcessSpawnerConfig config(List<String> command) {
        return ProcessSpawnerConfig.defaults(data).withCommand(command).withSshd(false)
                .withStopTimeout(Duration.ofSeconds(5));
    }

    private ProcessSpawner spawner(ProcessSpawnerConfig config) {
        ProcessSpawner spawner = new ProcessSpawner(config);
        spawners.add(spawner);
        return spawner;
    }

    private WorkspaceSpec spec(String user, String server, List<String> keys) {
        String prefix = "/user/" + user + "/" + (server.isEmpty() ? "" : server + "/");
        String hubApi = "http://127.0.0.1:" + hub.getAddress().getPort() + "/hub/api";
        Map<String, String> environment = Map.of(
                "JUPYTERHUB_API_TOKEN", "test-token-" + user,
                "JUPYTERHUB_CLIENT_ID", "jupyterhub-user-" + user,
                "JUPYTERHUB_API_URL", hubApi,
                "JUPYTERHUB_ACTIVITY_URL", hubApi + "/users/" + user + "/activity",
                "JUPYTERHUB_SERVICE_PREFIX", prefix,
                "JUPYTERHUB_BASE_URL", "/",
                "JUPYTERHUB_USER", user,
                "JUPYTERHUB_SERVER_NAME", server,
                "JUPYTERHUB_OAUTH_CALLBACK_URL", prefix + "oauth_callback");
        WorkspaceRef ref = new WorkspaceRef("mlhub", user, server);
        started.add(ref);
        WorkspaceOptions options = new WorkspaceOptions("jupyterhub-singleuser", null, null, 0, List.of(), Map.of(),
                null, null, false);
        return new WorkspaceSpec(ref, options, environment, prefix, keys, null);
    }

    private static URI api(StartedWorkspace workspace, String prefix) {
        return workspace.httpTarget().resolve(prefix + "api");
    }

    private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }

    private Path keyPair(String name) throws Exception {
        Path key = data.resolve(name);
        Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString())
                .redirectErrorStream(true).start();
        assertThat(keygen.waitFor()).isZero();
        return key;
    }

    /** Runs {@code command} over SSH with the real OpenSSH client; returns its output, or "failed: ...". */
    private static String ssh(Path key, int port, String command) throws Exception {
        Process ssh = new ProcessBuilder("ssh", "-i", key.toString(), "-p", Integer.toString(port),
                "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10",
                System.getProperty("user.name") + "@127.0.0.1", command)
                .redirectErrorStream(true).start();
        String output = new String(ssh.getInputStream().readAllBytes(), UTF_8).strip();
        return ssh.waitFor() == 0 ? output : "failed: " + output;
    }
}
