package io.mlhub.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
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
 * The whole job with the Docker spawner on the built jar, with TLS: alice gets a named workspace from the
 * realistic image (Jupyter and sshd) with CPU and memory limits, runs cells through the hub's port, reaches it
 * with {@code ssh -J}, and the container outlives a killed hub until the cleanup removes it after its expiry.
 * Needs the image {@code mlhub-test-jupyter:latest} from {@code src/test-images/build-test-images}.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(HubLogOnFailure.class)
class DockerModeIT implements HubLogOnFailure.HasHub {
    private static final String PASSWORD = "correct-horse-battery";
    private static final String IMAGE = "mlhub-test-jupyter:latest";
    private static final String WORKSPACE = "/user/alice/lab/";
    private static final String TARGET = "lab.alice";
    private static final String LIMITS_CELL = String.join("\n",
            "import os",
            "def read(path):",
            "    return open(path).read().strip() if os.path.exists(path) else None",
            "cpu = read('/sys/fs/cgroup/cpu.max') or (read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us') + ' '",
            "    + read('/sys/fs/cgroup/cpu/cpu.cfs_period_us'))",
            "memory = read('/sys/fs/cgroup/memory.max') or read('/sys/fs/cgroup/memory/memory.limit_in_bytes')",
            "print(cpu)",
            "print(memory)");

    @TempDir
    static Path directory;

    private String hubName;
    private HubProcess hub;
    private HubSession admin;
    private HubSession alice;
    private HubSession bob;
    private OpenSsh aliceSsh;
    private OpenSsh bobSsh;
    private String containerId;

    @BeforeAll
    void configure() throws Exception {
        OpenSsh.Result image = OpenSsh.run(List.of("docker", "image", "inspect", "--format", "{{.Id}}", IMAGE), 30);
        assertThat(image.exitCode()).as("%s is missing: run appliance-image/src/test-images/build-test-images (%s)",
                IMAGE, image.output()).isZero();
        Path data = Files.createDirectories(directory.resolve("data"));
        Path yaml = Files.writeString(directory.resolve("mlhub.yaml"), String.join("\n",
                "adminUsers: [admin]",
                "workspaceImages: [mlhub-test-jupyter:latest, mlhub-test-tiny:latest]",
                "ssh:",
                "  publicHost: 127.0.0.1",
                ""));
        hubName = HubProcess.uniqueHubName('d');
        hub = new HubProcess(data, HubProcess.freePort(), HubProcess.env(
                "HUB_NAME", hubName,
                "EXECUTION_MODE", "local",
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
        if (hubName != null) {
            removeByLabel("container", "ls", "-aq", "rm", "-f");
            removeByLabel("network", "ls", "-q", "rm");
            removeByLabel("volume", "ls", "-q", "rm", "-f");
        }
    }

    @Test
    @Order(1)
    void adminCreatesAliceAndBob() throws Exception {
        hub.start();
        awaitHubReady();

        assertThat(admin.signup("admin", PASSWORD)).isEqualTo(201);
        assertThat(admin.login("admin", PASSWORD)).isEqualTo(200);
        assertThat(admin.send("POST", "/hub/api/users", "{\"usernames\": [\"alice\", \"bob\"]}").statusCode())
                .isEqualTo(201);
        assertThat(alice.signup("alice", PASSWORD)).isEqualTo(201);
        assertThat(alice.login("alice", PASSWORD)).isEqualTo(200);
        assertThat(bob.signup("bob", PASSWORD)).isEqualTo(201);
        assertThat(bob.login("bob", PASSWORD)).isEqualTo(200);

        aliceSsh = OpenSsh.forUser(directory, "alice", hub.port());
        bobSsh = OpenSsh.forUser(directory, "bob", hub.port());
        assertThat(alice.send("POST", "/hub/api/users/alice/ssh-keys", HubSession.json("key", aliceSsh.publicKey()))
                .statusCode()).isEqualTo(201);
        assertThat(bob.send("POST", "/hub/api/users/bob/ssh-keys", HubSession.json("key", bobSsh.publicKey()))
                .statusCode()).isEqualTo(201);
    }

    @Test
    @Order(2)
    void limitedNamedWorkspaceRunsCells() throws Exception {
        String options = "{\"image\": \"" + IMAGE + "\", \"cpu_limit\": \"0.5\", \"mem_limit\": \"512M\", "
                + "\"days_to_live\": 1}";
        HttpResponse<String> start = alice.send("POST", "/hub/api/users/alice/servers/lab", options);
        assertThat(start.statusCode()).as(start.body()).isIn(201, 202);
        ProcessModeIT.awaitReady(alice, "lab");

        ProcessModeIT.openWorkspace(alice, WORKSPACE);
        String kernel = KernelClient.startKernel(alice, WORKSPACE);
        assertThat(KernelClient.execute(alice, WORKSPACE, kernel, "print(6*7)")).isEqualTo("42\n");
        String limits = KernelClient.execute(alice, WORKSPACE, kernel, LIMITS_CELL);
        assertThat(limits.lines().toList()).as("cpu quota and period, then memory limit")
                .containsExactly("50000 100000", Long.toString(512L << 20));

        containerId = onlyContainer();
        assertThat(docker("inspect", "--format", "{{.Config.Image}}", containerId)).isEqualTo(IMAGE);
    }

    @Test
    @Order(3)
    void bobRejectedByWebAndSsh() throws Exception {
        assertThat(bob.get(WORKSPACE + "tree").statusCode()).isEqualTo(403);
        assertThat(bob.send("POST", WORKSPACE + "api/kernels", "{}").statusCode()).isEqualTo(403);

        OpenSsh.Result result = bobSsh.exec("root", TARGET, "echo ok");
        assertThat(result.exitCode()).as(result.output()).isNotZero();
        assertThat(result.output()).contains("stdio forwarding failed");
    }

    @Test
    @Order(4)
    void aliceUsesSshAndScp() throws Exception {
        assertSshWorks();

        Path local = Files.writeString(directory.resolve("upload.txt"), "copied into the container\n");
        OpenSsh.Result upload = aliceSsh.copyTo(local, "root", TARGET, "/tmp/upload.txt");
        assertThat(upload.exitCode()).as(upload.output()).isZero();
        OpenSsh.Result read = aliceSsh.exec("root", TARGET, "cat /tmp/upload.txt");
        assertThat(read.output()).isEqualTo("copied into the container\n");
        Path back = directory.resolve("download.txt");
        OpenSsh.Result download = aliceSsh.copyFrom("root", TARGET, "/tmp/upload.txt", back);
        assertThat(download.exitCode()).as(download.output()).isZero();
        assertThat(back).hasContent("copied into the container");
    }

    @Test
    @Order(5)
    void sigkillRestartAdoptsContainer() throws Exception {
        hub.kill();
        assertThat(docker("inspect", "--format", "{{.State.Running}}", containerId)).isEqualTo("true");

        hub.start();
        awaitHubReady();

        ProcessModeIT.awaitReady(alice, "lab");
        assertThat(onlyContainer()).as("the same container was adopted").isEqualTo(containerId);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            String kernel = KernelClient.startKernel(alice, WORKSPACE);
            assertThat(KernelClient.execute(alice, WORKSPACE, kernel, "print(6*7)")).isEqualTo("42\n");
        });
        assertSshWorks();
        assertThat(bob.get(WORKSPACE + "tree").statusCode()).isEqualTo(403);
    }

    @Test
    @Order(6)
    void cleanupRemovesExpiredContainer() throws Exception {
        assertThat(hub.terminate()).as("exit code after SIGTERM").isZero();
        assertThat(docker("inspect", "--format", "{{.State.Running}}", containerId))
                .as("SIGTERM leaves workspaces running").isEqualTo("true");

        // The workspace lives for one day (days_to_live), so the hub comes back two days later.
        hub.start(List.of("-Dmlhub.clockOffset=P2D"));
        awaitHubReady();
        assertThat(admin.login("admin", PASSWORD)).isEqualTo(200);
        HttpResponse<String> cleanup = admin.send("POST", "/services/cleanup-service/expired", "{}");

        assertThat(cleanup.statusCode()).as(cleanup.body()).isEqualTo(200);
        assertThat(cleanup.body()).contains("\"server\":\"lab\"");
        assertThat(containers()).as("containers of this hub after cleanup").isEmpty();
        JsonNode servers = alice.getJson("/hub/api/user").path("servers");
        assertThat(servers.has("lab")).as("alice's servers: %s", servers).isFalse();
        assertThat(aliceSsh.exec("root", TARGET, "echo ok").exitCode()).isNotZero();
    }

    private void assertSshWorks() {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            OpenSsh.Result result = aliceSsh.exec("root", TARGET, "echo ok");
            assertThat(result.exitCode()).as(result.output()).isZero();
            assertThat(result.output()).isEqualTo("ok\n");
        });
    }

    private void awaitHubReady() {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .untilAsserted(() -> {
                    assertThat(hub.isAlive()).as("hub runs").isTrue();
                    assertThat(admin.get("/hub/api/health").statusCode()).isEqualTo(200);
                });
    }

    private String onlyContainer() throws Exception {
        List<String> ids = containers();
        assertThat(ids).as("containers of this hub").hasSize(1);
        return ids.getFirst();
    }

    private List<String> containers() throws Exception {
        String output = docker("ps", "-aq", "--no-trunc", "--filter", "label=mlhub.origin=" + hubName);
        return output.isEmpty() ? List.of() : output.lines().toList();
    }

    private void removeByLabel(String kind, String... listAndRemove) throws Exception {
        List<String> list = new ArrayList<>(List.of("docker", kind, listAndRemove[0], listAndRemove[1], "--filter",
                "label=mlhub.origin=" + hubName));
        String ids = OpenSsh.run(list, 60).output().strip();
        if (ids.isEmpty()) {
            return;
        }
        List<String> remove = new ArrayList<>(List.of("docker", kind));
        remove.addAll(List.of(listAndRemove).subList(2, listAndRemove.length));
        remove.addAll(ids.lines().toList());
        OpenSsh.run(remove, 120);
    }

    private static String docker(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(arguments));
        OpenSsh.Result result = OpenSsh.run(command, 60);
        assertThat(result.exitCode()).as("%s: %s", command, result.output()).isZero();
        return result.output().strip();
    }
}
