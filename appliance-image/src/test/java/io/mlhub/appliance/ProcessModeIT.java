package io.mlhub.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole job in process mode on the built jar, with TLS: the hub answers 503 until ready, an admin creates
 * alice, alice's workspace (a real {@code jupyterhub-singleuser} with its own sshd) runs a notebook cell
 * through the hub's port, bob is rejected, and the workspace outlives a stopped and a killed hub.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(HubLogOnFailure.class)
class ProcessModeIT implements HubLogOnFailure.HasHub {
    private static final String PASSWORD = "correct-horse-battery";
    /** Workspace processes and their sshd run as the hub's OS user, so SSH logs in as that user. */
    private static final String LOGIN_USER = System.getProperty("user.name");

    @TempDir
    static Path directory;

    private HubProcess hub;
    private HubSession admin;
    private HubSession alice;
    private HubSession bob;
    private String aliceEngineId;
    private OpenSsh aliceSsh;
    private OpenSsh bobSsh;

    @BeforeAll
    void configure() throws Exception {
        Path data = Files.createDirectories(directory.resolve("data"));
        Path yaml = Files.writeString(directory.resolve("mlhub.yaml"), String.join("\n",
                "adminUsers: [admin]",
                "ssh:",
                "  publicHost: 127.0.0.1",
                ""));
        hub = new HubProcess(data, HubProcess.freePort(), HubProcess.env(
                "HUB_NAME", HubProcess.uniqueHubName('p'),
                "EXECUTION_MODE", "process",
                "SSL_ENABLED", "true",
                "HUB_CONFIG", yaml.toString()));
        URI base = URI.create("https://127.0.0.1:" + hub.port());
        admin = new HubSession(base);
        alice = new HubSession(base);
        bob = new HubSession(base);
    }

    @Override
    public HubProcess hub() {
        return hub;
    }

    @AfterAll
    void stopEverything() throws Exception {
        if (hub != null) {
            hub.stopAll();
        }
    }

    @Test
    @Order(1)
    void portReturns503UntilReady() throws Exception {
        hub.start();
        HttpClient client = HttpClient.newBuilder().sslContext(HubSession.trustingContext())
                .connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest health = HttpRequest.newBuilder(admin.uri("/hub/api/health"))
                .timeout(Duration.ofSeconds(10)).build();
        List<HttpResponse<String>> answers = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            assertThat(hub.isAlive()).as("hub runs").isTrue();
            try {
                HttpResponse<String> answer = client.send(health, HttpResponse.BodyHandlers.ofString());
                answers.add(answer);
                if (answer.statusCode() == 200) {
                    break;
                }
            } catch (ConnectException | HttpConnectTimeoutException e) {
                assertThat(answers).as("no refused connection after the port first answered").isEmpty();
                Thread.sleep(20);
            }
        }
        assertThat(answers).as("responses from the port").isNotEmpty();
        assertThat(answers.getLast().statusCode()).as("ready at last").isEqualTo(200);
        for (HttpResponse<String> early : answers.subList(0, answers.size() - 1)) {
            assertThat(early.statusCode()).as("a response before ready").isEqualTo(503);
            assertThat(early.headers().firstValue("Retry-After")).as("Retry-After on 503").isPresent();
        }
        assertThat(hub.log()).contains("hub ready url=https://");
    }

    @Test
    @Order(2)
    void plainHttpRedirectsToHttps() throws Exception {
        String answer = HubSession.rawExchange(hub.port(),
                "GET /hub/login?x=1 HTTP/1.1\r\nHost: 127.0.0.1:" + hub.port() + "\r\nConnection: close\r\n\r\n");

        assertThat(answer).matches("(?s)HTTP/1\\.1 30[178] .*");
        assertThat(answer).containsIgnoringCase("location: https://127.0.0.1:" + hub.port() + "/hub/login?x=1");
    }

    @Test
    @Order(3)
    void adminCreatesAliceAndBob() throws Exception {
        assertThat(admin.signup("admin", PASSWORD)).isEqualTo(201);
        assertThat(admin.login("admin", PASSWORD)).isEqualTo(200);
        assertThat(admin.cookie(admin.uri("/hub/"), "_xsrf")).as("XSRF cookie after login").isNotNull();

        assertThat(admin.send("POST", "/hub/api/users/alice", "{}").statusCode()).isEqualTo(201);
        assertThat(admin.send("POST", "/hub/api/users/bob", "{}").statusCode()).isEqualTo(201);
        HttpResponse<String> withoutXsrf = new HubSession(admin.base()).send("POST", "/hub/api/users/carol", "{}");
        assertThat(withoutXsrf.statusCode()).as("no session, no user").isEqualTo(403);

        assertThat(alice.signup("alice", PASSWORD)).as("alice sets her password").isEqualTo(201);
        assertThat(alice.login("alice", PASSWORD)).isEqualTo(200);
        assertThat(bob.signup("bob", PASSWORD)).isEqualTo(201);
        assertThat(bob.login("bob", PASSWORD)).isEqualTo(200);
        JsonNode users = admin.getJson("/hub/api/users");
        assertThat(users.findValuesAsText("name")).contains("admin", "alice", "bob").doesNotContain("carol");
    }

    @Test
    @Order(4)
    void aliceRunsCellThroughHub() throws Exception {
        HttpResponse<String> start = alice.send("POST", "/hub/api/users/alice/server", "{\"days_to_live\": 1}");
        assertThat(start.statusCode()).as(start.body()).isIn(201, 202);
        awaitReady(alice, "");

        openWorkspace(alice, "/user/alice/");
        String kernel = KernelClient.startKernel(alice, "/user/alice/");
        assertThat(KernelClient.execute(alice, "/user/alice/", kernel, "print(6*7)")).isEqualTo("42\n");

        aliceEngineId = admin.getJson("/hub/api/users/alice").path("servers").path("").path("state")
                .path("engine_id").asText(null);
        hub.rememberDescendants();
    }

    @Test
    @Order(5)
    void bobRejectedByWeb() throws Exception {
        HttpResponse<String> page = bob.get("/user/alice/tree");
        assertThat(page.statusCode()).isEqualTo(403);
        assertThat(page.body()).doesNotContain("Jupyter Notebook");

        HttpResponse<String> api = bob.send("POST", "/user/alice/api/kernels", "{}");
        assertThat(api.statusCode()).isEqualTo(403);

        assertThat(new HubSession(alice.base()).get("/user/alice/api/status").statusCode())
                .as("an API client without credentials").isEqualTo(401);
        HttpResponse<String> anonymous = new HubSession(alice.base()).getPage("/user/alice/tree");
        assertThat(anonymous.statusCode()).as("a browser without session goes to login").isEqualTo(302);
        assertThat(anonymous.headers().firstValue("Location").orElseThrow()).contains("/hub/login?next=");
    }


    @Test
    @Order(6)
    void aliceUsesSshAndScp() throws Exception {
        aliceSsh = OpenSsh.forUser(directory, "alice", hub.port());
        bobSsh = OpenSsh.forUser(directory, "bob", hub.port());
        HttpResponse<String> added = alice.send("POST", "/hub/api/users/alice/ssh-keys",
                HubSession.json("key", aliceSsh.publicKey()));
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        assertThat(bob.send("POST", "/hub/api/users/bob/ssh-keys", HubSession.json("key", bobSsh.publicKey()))
                .statusCode()).isEqualTo(201);

        assertSshWorks();

        Path local = Files.writeString(directory.resolve("upload.txt"), "copied through the hub\n");
        Path remote = directory.resolve("in-workspace.txt");
        OpenSsh.Result upload = aliceSsh.copyTo(local, LOGIN_USER, "alice", remote.toString());
        assertThat(upload.exitCode()).as(upload.output()).isZero();
        assertThat(remote).hasContent("copied through the hub");
        Path back = directory.resolve("download.txt");
        OpenSsh.Result download = aliceSsh.copyFrom(LOGIN_USER, "alice", remote.toString(), back);
        assertThat(download.exitCode()).as(download.output()).isZero();
        assertThat(back).hasContent("copied through the hub");
    }

    @Test
    @Order(7)
    void bobRejectedBySsh() throws Exception {
        OpenSsh.Result result = bobSsh.exec(LOGIN_USER, "alice", "echo ok");

        assertThat(result.exitCode()).as(result.output()).isNotZero();
        assertThat(result.output()).doesNotContain("ok\n");
        assertThat(result.output()).as("the hub rejected the channel, after a successful login")
                .contains("stdio forwarding failed");
    }

    @Test
    @Order(8)
    void sshAccessPinsHubHostKey() throws Exception {
        OpenSsh.Result help = aliceSsh.hubHelp();
        assertThat(help.output()).as("help text").contains("alice");

        JsonNode access = alice.getJson("/hub/api/users/alice/server/ssh-access");
        assertThat(access.path("target").asText()).isEqualTo("alice");
        assertThat(access.path("port").asInt()).isEqualTo(hub.port());
        assertThat(access.path("sshConfig").asText()).contains("ProxyJump alice@127.0.0.1:" + hub.port())
                .contains("User " + LOGIN_USER);
        OpenSsh.Result scan = OpenSsh.run(List.of("ssh-keyscan", "-t", "ed25519", "-p",
                Integer.toString(hub.port()), "127.0.0.1"), 30);
        String scannedKey = scan.output().lines().filter(line -> line.contains("ssh-ed25519")).findFirst()
                .orElseThrow(() -> new AssertionError("ssh-keyscan: " + scan.output()));
        assertThat(access.path("knownHosts").asText()).as("the pinned host key is the hub's")
                .contains(scannedKey.substring(scannedKey.indexOf("ssh-ed25519")));
    }

    @Test
    @Order(20)
    void sigtermKeepsWorkspaceRunning() throws Exception {
        List<Long> workspaceProcesses = hub.liveDescendants();
        assertThat(workspaceProcesses).as("workspace processes").isNotEmpty();

        assertThat(hub.terminate()).as("exit code after SIGTERM").isZero();

        assertThat(hub.log()).contains("stopping; workspaces keep running").contains("stopped");
        assertThat(hub.liveDescendants()).as("workspace processes after the hub stopped")
                .containsAll(workspaceProcesses);
        startAndAwaitReady();
        awaitReady(alice, "");
        assertWorkspaceAnswers();
        assertSshWorks();
    }

    @Test
    @Order(21)
    void sigkillRestartAdoptsWorkspace() throws Exception {
        List<Long> workspaceProcesses = hub.liveDescendants();

        hub.kill();
        assertThat(hub.liveDescendants()).containsAll(workspaceProcesses);
        startAndAwaitReady();

        awaitReady(alice, "");
        String engineId = admin.getJson("/hub/api/users/alice").path("servers").path("").path("state")
                .path("engine_id").asText(null);
        assertThat(engineId).as("the same workspace was adopted").isEqualTo(aliceEngineId);
        assertWorkspaceAnswers();
        assertThat(bob.get("/user/alice/tree").statusCode()).isEqualTo(403);
        assertSshWorks();
        assertThat(bobSsh.exec(LOGIN_USER, "alice", "echo ok").exitCode()).isNotZero();
    }

    @Test
    @Order(30)
    void cleanupRemovesExpiredWorkspace() throws Exception {
        List<Long> workspaceProcesses = hub.liveDescendants();
        assertThat(hub.terminate()).isZero();

        // The workspace lives for one day (days_to_live), so the hub comes back two days later.
        startAndAwaitReady(List.of("-Dmlhub.clockOffset=P2D"));
        assertThat(admin.login("admin", PASSWORD)).isEqualTo(200);
        HttpResponse<String> cleanup = admin.send("POST", "/services/cleanup-service/expired", "{}");

        assertThat(cleanup.statusCode()).as(cleanup.body()).isEqualTo(200);
        assertThat(cleanup.body()).contains("\"user\":\"alice\"");
        JsonNode server = admin.getJson("/hub/api/users/alice").path("servers").path("");
        assertThat(server.path("ready").asBoolean()).as("alice's server after cleanup: %s", server).isFalse();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(workspaceProcesses)
                .noneMatch(HubProcess::isRunning));
        assertThat(alice.get("/user/alice/api/status").statusCode()).isNotEqualTo(200);
        assertThat(aliceSsh.exec(LOGIN_USER, "alice", "echo ok").exitCode()).isNotZero();
    }

    private void assertSshWorks() {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            OpenSsh.Result result = aliceSsh.exec(LOGIN_USER, "alice", "echo ok");
            assertThat(result.exitCode()).as(result.output()).isZero();
            assertThat(result.output()).isEqualTo("ok\n");
        });
    }

    private void assertWorkspaceAnswers() throws Exception {
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            String kernel = KernelClient.startKernel(alice, "/user/alice/");
            assertThat(KernelClient.execute(alice, "/user/alice/", kernel, "print(6*7)")).isEqualTo("42\n");
        });
    }

    private void startAndAwaitReady() throws Exception {
        startAndAwaitReady(List.of());
    }

    private void startAndAwaitReady(List<String> jvmOptions) throws Exception {
        hub.start(jvmOptions);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .untilAsserted(() -> {
                    assertThat(hub.isAlive()).as("hub runs").isTrue();
                    assertThat(admin.get("/hub/api/health").statusCode()).isEqualTo(200);
                });
    }

    /** Waits until the server is ready, failing early with the hub's view when it stopped instead. */
    static void awaitReady(HubSession session, String server) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode me = session.getJson("/hub/api/user");
            JsonNode state = me.path("servers").path(server);
            assertThat(state.path("ready").asBoolean()).as("server '%s' ready: %s", server, me)
                    .isTrue();
        });
    }

    /**
     * Opens a workspace as a browser does: through the OAuth redirect chain (workspace, hub authorize,
     * workspace callback) to the notebook page.
     */
    static void openWorkspace(HubSession session, String workspacePath) throws Exception {
        List<HttpResponse<String>> hops = session.follow(workspacePath);
        HttpResponse<String> last = hops.getLast();
        List<String> chain = hops.stream().map(r -> r.statusCode() + " " + r.uri().getPath()).toList();
        assertThat(last.statusCode()).as("final page after %s", chain).isEqualTo(200);
        assertThat(chain).as("the OAuth round trip").anyMatch(hop -> hop.contains("/hub/api/oauth2/authorize"))
                .anyMatch(hop -> hop.contains(workspacePath + "oauth_callback"));
        assertThat(last.uri().getPath()).startsWith(workspacePath);
        assertThat(last.body()).contains("Jupyter");
    }
}
