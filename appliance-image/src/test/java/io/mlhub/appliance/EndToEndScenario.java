package io.mlhub.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
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
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The product's end-to-end flow, with TLS on and a temporary data folder, shared by the runs that differ in how the
 * hub starts (the built jar or the built container image) and which spawner it uses (Docker or processes).
 *
 * <p>In Chromium, the admin signs up, logs in, adds alice and bob on the Admin page, and starts a named workspace
 * {@code lab} for alice with a CPU and memory limit that lives one day. Alice logs in over HTTPS, opens the
 * workspace through the hub's port, runs notebook cells over the kernel websocket and reads the limits from inside.
 * Over SSH on the same port, with the real OpenSSH client, she runs a command and copies a file with scp both ways.
 * Bob is rejected by web and by SSH. The hub stops with SIGTERM (exit code 0) and with SIGKILL, and each time
 * starts again on the same data: the workspace kept running, its route and SSH access work again. Two days later
 * the cleanup removes the expired workspace.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(HubLogOnFailure.class)
abstract class EndToEndScenario implements HubLogOnFailure.HasHub {
    static final String PASSWORD = BrowserHub.PASSWORD;
    static final String SERVER = "lab";
    static final String WORKSPACE = "/user/alice/lab/";
    static final String SSH_TARGET = "lab.alice";
    static final Duration SPAWN_WAIT = Duration.ofSeconds(150);
    /** Prints the CPU quota and period, then the memory limit, from cgroup v2 or else v1 files. */
    static final String LIMITS_CELL = String.join("\n",
            "import os",
            "def read(path):",
            "    return open(path).read().strip() if os.path.exists(path) else None",
            "cpu = read('/sys/fs/cgroup/cpu.max') or (read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us') + ' '",
            "    + read('/sys/fs/cgroup/cpu/cpu.cfs_period_us'))",
            "memory = read('/sys/fs/cgroup/memory.max') or read('/sys/fs/cgroup/memory/memory.limit_in_bytes')",
            "print(cpu)",
            "print(memory)");

    /** The data and client files of one run. JUnit gives each subclass its own folder before its first test. */
    @TempDir
    static Path directory;

    String hubName;
    HubRunner hub;
    HubSession admin;
    HubSession alice;
    HubSession bob;
    private BrowserHub browserHub;
    private OpenSsh aliceSsh;
    private OpenSsh bobSsh;

    /**
     * Makes the hub under test, not started yet, with {@code yaml} as its configuration file. The file ends in the
     * {@code ssh:} section, so a run may append keys of that section.
     */
    abstract HubRunner createHub(Path directory, String hubName, String yaml) throws Exception;

    /** Returns the first letter of this run's hub name, so that leftovers show which run made them. */
    abstract char hubNamePrefix();

    /** Returns configuration lines this run adds, such as the workspace images. */
    abstract List<String> extraConfig();

    /** Returns the login name inside the workspace over SSH. */
    abstract String loginUser();

    /** Returns a file path in the workspace that scp may write. */
    abstract String remoteFile();

    /** Notes the running workspace (container or processes) once it is ready, and checks how it runs. */
    abstract void noteWorkspace() throws Exception;

    /** Asserts that the noted workspace still runs while the hub is stopped. */
    abstract void assertWorkspaceRuns() throws Exception;

    /** Asserts that the restarted hub adopted the noted workspace instead of starting another. */
    abstract void assertSameWorkspace() throws Exception;

    /** Asserts that the cleanup removed the workspace from the engine. */
    abstract void assertWorkspaceRemoved() throws Exception;

    /** Returns the notebook cell that prints the workspace's CPU quota and period, then its memory limit. */
    String limitsCell() {
        return LIMITS_CELL;
    }

    /** Asserts what the limits cell printed inside the workspace (CPU quota and period, memory limit). */
    abstract void assertLimits(List<String> limits) throws Exception;

    /** Removes what the run created that outlives the hub. */
    abstract void removeLeftovers() throws Exception;

    @BeforeAll
    void configure() throws Exception {
        hubName = HubProcess.uniqueHubName(hubNamePrefix());
        List<String> yaml = new ArrayList<>(List.of(
                "adminUsers: [admin]",
                "allowNamedServers: true",
                "limits:",
                "  maxCpus: 2"));
        yaml.addAll(extraConfig());
        yaml.addAll(List.of("ssh:", "  publicHost: 127.0.0.1"));
        hub = createHub(directory, hubName, String.join("\n", yaml) + "\n");
        URI base = URI.create("https://127.0.0.1:" + hub.port());
        admin = new HubSession(base);
        alice = new HubSession(base);
        bob = new HubSession(base);
    }

    @Override
    public HubRunner hub() {
        return hub;
    }

    @AfterAll
    void stopEverything() throws Exception {
        try {
            if (browserHub != null) {
                browserHub.close();
            } else if (hub != null) {
                hub.stopAll();
            }
        } finally {
            removeLeftovers();
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
            } catch (IOException notListening) {
                // Docker's port forwarder accepts and then closes connections until the hub in the container
                // listens, so every I/O error counts as not listening yet.
                assertThat(answers).as("no failed connection after the port first answered: %s", notListening)
                        .isEmpty();
                Thread.sleep(20);
            }
        }
        assertThat(answers).as("responses from the port").isNotEmpty();
        assertThat(answers.getLast().statusCode()).as("ready at last").isEqualTo(200);
        assertThat(answers.size()).as("the port answers 503 while the hub starts").isGreaterThan(1);
        for (HttpResponse<String> early : answers.subList(0, answers.size() - 1)) {
            assertThat(early.statusCode()).as("a response before ready").isEqualTo(503);
            assertThat(early.headers().firstValue("Retry-After")).as("Retry-After on 503").isPresent();
        }
        assertThat(hub.log()).contains("hub ready url=https://");
        HttpResponse<String> info = admin.get("/hub/api");
        assertThat(info.headers().firstValue("X-JupyterHub-Version")).as("JupyterHub's version header").isPresent();
        assertThat(HubSession.JSON.readTree(info.body()).path("version").asText()).isNotEmpty();
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
    void adminAddsUsersInBrowser() throws Exception {
        browserHub = BrowserHub.attach(hub, admin, directory);
        ChromeDriver browser = browserHub.browser();
        browserHub.signUp("admin");
        browserHub.logIn("admin");
        assertThat(admin.login("admin", PASSWORD)).isEqualTo(200);
        assertThat(admin.cookie(admin.uri("/hub/"), "_xsrf")).as("XSRF cookie after login").isNotNull();
        browserHub.open("/hub/admin");

        browser.findElement(By.id("add-usernames")).sendKeys("alice bob");
        browser.findElement(By.cssSelector("#add-users-form button[type=submit]")).click();

        browserHub.waitFor().until(ExpectedConditions.textToBePresentInElementLocated(By.id("add-users-result"),
                "alice"));
        browserHub.waitFor().until(ExpectedConditions.visibilityOfElementLocated(userRow("alice")));
        browserHub.waitFor().until(ExpectedConditions.visibilityOfElementLocated(userRow("bob")));
        JsonNode users = admin.getJson("/hub/api/users");
        assertThat(users.findValuesAsText("name")).contains("admin", "alice", "bob").doesNotContain("carol");
        HttpResponse<String> withoutXsrf = new HubSession(admin.base()).send("POST", "/hub/api/users/carol", "{}");
        assertThat(withoutXsrf.statusCode()).as("no session, no user").isEqualTo(403);

        assertThat(alice.signup("alice", PASSWORD)).as("alice sets her password").isEqualTo(201);
        assertThat(alice.login("alice", PASSWORD)).isEqualTo(200);
        assertThat(alice.cookie(alice.uri("/hub/"), "_xsrf")).as("XSRF cookie after login").isNotNull();
        assertThat(bob.signup("bob", PASSWORD)).isEqualTo(201);
        assertThat(bob.login("bob", PASSWORD)).isEqualTo(200);
    }

    @Test
    @Order(4)
    void adminStartsLimitedWorkspaceInBrowser() throws Exception {
        ChromeDriver browser = browserHub.browser();
        browser.findElement(userRow("alice"))
                .findElement(By.xpath(".//button[normalize-space()='New workspace…']")).click();
        browserHub.waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("admin-dialog-name")))
                .sendKeys(SERVER);
        type(browser, "admin-dialog-cpu_limit", "0.5");
        type(browser, "admin-dialog-mem_limit", "512M");
        type(browser, "admin-dialog-days_to_live", "1");
        browserHub.screenshot("end-to-end-" + hubNamePrefix() + "-dialog");
        browser.findElement(By.cssSelector("#workspace-dialog-body button[type=submit]")).click();

        browserHub.waitFor(SPAWN_WAIT).until(driver -> "running".equals(labRow().getDomAttribute("data-state")));
        browserHub.screenshot("end-to-end-" + hubNamePrefix() + "-running");
        JsonNode options = admin.getJson("/hub/api/users/alice").path("servers").path(SERVER).path("user_options");
        assertThat(options.path("cpu_limit").asDouble()).as("options of lab: %s", options).isEqualTo(0.5);
        assertThat(options.path("mem_limit").asLong()).as("options of lab in bytes: %s", options)
                .isEqualTo(512L << 20);
        assertThat(options.path("days_to_live").asInt()).as("options of lab: %s", options).isEqualTo(1);
    }

    @Test
    @Order(5)
    void aliceRunsCellsThroughHub() throws Exception {
        awaitReady(alice, SERVER);
        openWorkspace(alice, WORKSPACE);
        String kernel = KernelClient.startKernel(alice, WORKSPACE);

        assertThat(KernelClient.execute(alice, WORKSPACE, kernel, "print(6*7)")).isEqualTo("42\n");
        String limits = KernelClient.execute(alice, WORKSPACE, kernel, limitsCell());
        assertLimits(limits.lines().toList());
        noteWorkspace();
    }

    @Test
    @Order(6)
    void bobRejectedByWeb() throws Exception {
        HttpResponse<String> page = bob.get(WORKSPACE + "tree");
        assertThat(page.statusCode()).isEqualTo(403);
        assertThat(page.body()).doesNotContain("Jupyter Notebook");
        assertThat(bob.send("POST", WORKSPACE + "api/kernels", "{}").statusCode()).isEqualTo(403);

        assertThat(new HubSession(alice.base()).get(WORKSPACE + "api/status").statusCode())
                .as("an API client without credentials").isEqualTo(401);
        HttpResponse<String> anonymous = new HubSession(alice.base()).getPage(WORKSPACE + "tree");
        assertThat(anonymous.statusCode()).as("a browser without session goes to login").isEqualTo(302);
        assertThat(anonymous.headers().firstValue("Location").orElseThrow()).contains("/hub/login?next=");
    }

    @Test
    @Order(7)
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
        OpenSsh.Result upload = aliceSsh.copyTo(local, loginUser(), SSH_TARGET, remoteFile());
        assertThat(upload.exitCode()).as(upload.output()).isZero();
        OpenSsh.Result read = aliceSsh.exec(loginUser(), SSH_TARGET, "cat " + remoteFile());
        assertThat(read.output()).isEqualTo("copied through the hub\n");
        Path back = directory.resolve("download.txt");
        OpenSsh.Result download = aliceSsh.copyFrom(loginUser(), SSH_TARGET, remoteFile(), back);
        assertThat(download.exitCode()).as(download.output()).isZero();
        assertThat(back).hasContent("copied through the hub");
    }

    @Test
    @Order(8)
    void bobRejectedBySsh() throws Exception {
        OpenSsh.Result result = bobSsh.exec(loginUser(), SSH_TARGET, "echo ok");

        assertThat(result.exitCode()).as(result.output()).isNotZero();
        assertThat(result.output()).doesNotContain("ok\n");
        assertThat(result.output()).as("the hub rejected the channel, after a successful login")
                .contains("stdio forwarding failed");
    }

    @Test
    @Order(9)
    void sshAccessPinsHubHostKey() throws Exception {
        OpenSsh.Result help = aliceSsh.hubHelp();
        assertThat(help.output()).as("help text").contains("alice");

        JsonNode access = alice.getJson("/hub/api/users/alice/servers/" + SERVER + "/ssh-access");
        assertThat(access.path("target").asText()).isEqualTo(SSH_TARGET);
        assertThat(access.path("port").asInt()).isEqualTo(hub.port());
        assertThat(access.path("sshConfig").asText()).contains("ProxyJump alice@127.0.0.1:" + hub.port())
                .contains("User " + loginUser());
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
        assertThat(hub.terminate()).as("exit code after SIGTERM").isZero();

        assertThat(hub.log()).contains("stopping; workspaces keep running").contains("stopped");
        assertWorkspaceRuns();
        startAndAwaitReady(List.of());
        awaitReady(alice, SERVER);
        assertSameWorkspace();
        assertWorkspaceAnswers();
        assertSshWorks();
    }

    @Test
    @Order(21)
    void sigkillRestartAdoptsWorkspace() throws Exception {
        hub.kill();

        assertThat(hub.isAlive()).as("hub after SIGKILL").isFalse();
        assertWorkspaceRuns();
        startAndAwaitReady(List.of());
        awaitReady(alice, SERVER);
        assertSameWorkspace();
        assertWorkspaceAnswers();
        // A new sign-in makes the workspace check the user with the hub API, at the URL it got before the restart.
        HubSession newSignIn = new HubSession(alice.base());
        assertThat(newSignIn.login("alice", PASSWORD)).isEqualTo(200);
        openWorkspace(newSignIn, WORKSPACE);
        assertThat(bob.get(WORKSPACE + "tree").statusCode()).isEqualTo(403);
        assertSshWorks();
        assertThat(bobSsh.exec(loginUser(), SSH_TARGET, "echo ok").exitCode()).isNotZero();
    }

    @Test
    @Order(30)
    void cleanupRemovesExpiredWorkspace() throws Exception {
        assertThat(hub.terminate()).as("exit code after SIGTERM").isZero();

        // The workspace lives for one day (days_to_live), so the hub comes back two days later.
        startAndAwaitReady(List.of("-Dmlhub.clockOffset=P2D"));
        assertThat(admin.login("admin", PASSWORD)).isEqualTo(200);
        HttpResponse<String> cleanup = admin.send("POST", "/services/cleanup-service/expired", "{}");

        assertThat(cleanup.statusCode()).as(cleanup.body()).isEqualTo(200);
        assertThat(cleanup.body()).contains("\"user\":\"alice\"").contains("\"server\":\"" + SERVER + "\"");
        assertWorkspaceRemoved();
        JsonNode servers = alice.getJson("/hub/api/user").path("servers");
        assertThat(servers.path(SERVER).path("ready").asBoolean()).as("alice's servers: %s", servers).isFalse();
        assertThat(alice.get(WORKSPACE + "api/status").statusCode()).isNotEqualTo(200);
        assertThat(aliceSsh.exec(loginUser(), SSH_TARGET, "echo ok").exitCode()).isNotZero();
    }

    void assertSshWorks() {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            OpenSsh.Result result = aliceSsh.exec(loginUser(), SSH_TARGET, "echo ok");
            assertThat(result.exitCode()).as(result.output()).isZero();
            assertThat(result.output()).isEqualTo("ok\n");
        });
    }

    private void assertWorkspaceAnswers() {
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            String kernel = KernelClient.startKernel(alice, WORKSPACE);
            assertThat(KernelClient.execute(alice, WORKSPACE, kernel, "print(6*7)")).isEqualTo("42\n");
        });
    }

    private void startAndAwaitReady(List<String> jvmOptions) throws Exception {
        hub.start(jvmOptions);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .untilAsserted(() -> {
                    assertThat(hub.isAlive()).as("hub runs").isTrue();
                    assertThat(admin.get("/hub/api/health").statusCode()).isEqualTo(200);
                });
    }

    private WebElement labRow() {
        return browserHub.browser().findElement(By.cssSelector(
                "#users tr.servers-row[data-servers-of='alice'] tr[data-server='" + SERVER + "']"));
    }

    private static By userRow(String name) {
        return By.cssSelector("#users tr.user-row[data-user='" + name + "']");
    }

    private static void type(ChromeDriver browser, String id, String text) {
        WebElement field = browser.findElement(By.id(id));
        field.clear();
        field.sendKeys(text);
    }

    /** Waits until the server is ready, as its owner sees it. */
    static void awaitReady(HubSession session, String server) {
        await().atMost(SPAWN_WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode me = session.getJson("/hub/api/user");
            JsonNode state = me.path("servers").path(server);
            assertThat(state.path("ready").asBoolean()).as("server '%s' ready: %s", server, me).isTrue();
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
