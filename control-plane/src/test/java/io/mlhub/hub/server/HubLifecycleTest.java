package io.mlhub.hub.server;

import static io.mlhub.hub.testing.HubClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlhub.hub.HubServer;
import io.mlhub.hub.config.HubConfig;
import io.mlhub.hub.config.WorkspaceLimits;
import io.mlhub.hub.spawn.WorkspaceOptions;
import io.mlhub.hub.spawn.WorkspaceRef;
import io.mlhub.hub.spawn.WorkspaceSpec;
import io.mlhub.hub.spawn.WorkspaceStatus;
import io.mlhub.hub.spawn.process.ProcessSpawner;
import io.mlhub.hub.spawn.process.ProcessSpawnerConfig;
import io.mlhub.hub.testing.HubClient;
import io.mlhub.hub.testing.MutableClock;
import io.mlhub.hub.testing.RecordingRoutes;
import io.mlhub.hub.testing.TestDatabases;
import io.mlhub.hub.testing.TestDatabases.Kind;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reconcile, cleanup and idle culling of a real hub with the real process spawner, whose workspaces are Python
 * HTTP servers. Tagged slow because it starts child processes and waits for them.
 */
@Tag("slow")
@ExtendWith(TestDatabases.class)
class HubLifecycleTest {
    @TempDir
    Path dir;

    private ProcessSpawner spawner;
    private HubServer hub;

    @AfterEach
    void tearDown() throws Exception {
        if (hub != null) {
            hub.stop();
        }
        if (spawner != null) {
            for (WorkspaceStatus status : spawner.list()) {
                spawner.delete(status.ref(), true);
            }
            spawner.close();
        }
    }

    private HubConfig config(TestDatabases.Factory db, int idleTimeoutSeconds) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        return HubConfig.defaults(data).withDatabase(db.create(Kind.H2))
                .withWorkspaces(List.of("python-http"), new WorkspaceLimits(4, 8, 0, 30, 1), null, null)
                .withLifecycle(-1, idleTimeoutSeconds);
    }

    private ProcessSpawner processSpawner(HubConfig config) {
        return new ProcessSpawner(ProcessSpawnerConfig.defaults(config.dataDir())
                .withCommand(List.of("/usr/bin/python3", "-m", "http.server", "--bind", "127.0.0.1", "{port}"))
                .withSshd(false)
                .withStopTimeout(Duration.ofSeconds(2)));
    }

    private HubClient startHub(HubConfig config, RecordingRoutes routes, Clock clock) throws Exception {
        hub = HubServer.builder(config).spawner(spawner).routes(routes).clock(clock).build();
        return new HubClient(hub.start());
    }

    @Test
    void restartAdoptsRunningWorkspacesAndReconcileRepairsTheRest(TestDatabases.Factory db) throws Exception {
        HubConfig config = config(db, 0);
        spawner = processSpawner(config);
        MutableClock clock = new MutableClock();
        HubClient c = startHub(config, new RecordingRoutes(), clock);
        String admin = c.signupAndToken("admin", "admin-password");
        assertThat(c.post("/hub/api/users/admin/servers/lab", admin, "{}").statusCode()).isEqualTo(201);
        assertThat(c.post("/hub/api/users/admin/server", admin, "{}").statusCode()).isEqualTo(201);
        hub.stop();

        RecordingRoutes routes = new RecordingRoutes();
        c = startHub(config, routes, clock);
        boolean labRouted = routes.get("/user/admin/lab/").isPresent();
        boolean defaultRouted = routes.get("/user/admin/").isPresent();
        WorkspaceRef lab = new WorkspaceRef("mlhub", "admin", "lab");
        long pid = Long.parseLong(spawner.status(lab).orElseThrow().engineId());
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        await().atMost(Duration.ofSeconds(10)).until(() -> !spawner.status(lab).orElseThrow().running());
        await().atMost(Duration.ofSeconds(10)).alias("the exit event removes the route")
                .until(() -> routes.get("/user/admin/lab/").isEmpty());
        WorkspaceRef orphan = new WorkspaceRef("mlhub", "admin", "stray");
        spawner.start(spec(orphan), (percent, message) -> {});
        var report = hub.reconciler().reconcile();
        JsonNode servers = json(c.get("/hub/api/users/admin?include_stopped_servers=true", admin)).get("servers");

        assertThat(labRouted).as("the restarted hub restores the route").isTrue();
        assertThat(defaultRouted).isTrue();
        assertThat(report.markedStopped()).as("the exit event marked it stopped already").isEmpty();
        assertThat(report.orphans()).containsExactly(orphan);
        assertThat(spawner.status(orphan)).isEmpty();
        assertThat(routes.get("/user/admin/lab/")).isEmpty();
        assertThat(routes.get("/user/admin/")).isPresent();
        assertThat(servers.get("lab").get("ready").asBoolean()).isFalse();
        assertThat(servers.get("lab").get("stopped").asBoolean()).isTrue();
        assertThat(servers.get("").get("ready").asBoolean()).isTrue();
    }

    @Test
    void cleanupRemovesExpiredServersAndDeletedUsersWorkspaces(TestDatabases.Factory db) throws Exception {
        HubConfig config = config(db, 0);
        spawner = processSpawner(config);
        MutableClock clock = new MutableClock();
        RecordingRoutes routes = new RecordingRoutes();
        HubClient c = startHub(config, routes, clock);
        String admin = c.signupAndToken("admin", "admin-password");
        c.post("/hub/api/users/admin/servers/short", admin, "{\"days_to_live\":1}");
        c.post("/hub/api/users/admin/servers/long", admin, "{\"days_to_live\":5}");
        WorkspaceRef ghost = new WorkspaceRef("mlhub", "ghost", "");
        spawner.start(spec(ghost), (percent, message) -> {});
        clock.advance(Duration.ofDays(2));

        HttpResponse<String> expired = c.post("/services/cleanup-service/expired", admin, null);
        HttpResponse<String> users = c.get("/services/cleanup-service/users", admin);
        JsonNode servers = json(c.get("/hub/api/users/admin?include_stopped_servers=true", admin)).get("servers");

        assertThat(expired.statusCode()).isEqualTo(200);
        assertThat(json(expired).get("removed").get(0).get("server").asText()).isEqualTo("short");
        assertThat(json(expired).get("removed").size()).isEqualTo(1);
        assertThat(spawner.status(new WorkspaceRef("mlhub", "admin", "short"))).isEmpty();
        assertThat(servers.has("short")).isFalse();
        assertThat(servers.get("long").get("ready").asBoolean()).isTrue();
        assertThat(routes.get("/user/admin/short/")).isEmpty();
        assertThat(users.statusCode()).isEqualTo(200);
        assertThat(json(users).get("removedUsers").get(0).asText()).isEqualTo("ghost");
        assertThat(spawner.status(ghost)).isEmpty();
    }

    @Test
    void idleServersAreStopped(TestDatabases.Factory db) throws Exception {
        HubConfig config = config(db, 2);
        spawner = processSpawner(config);
        RecordingRoutes routes = new RecordingRoutes();
        HubClient c = startHub(config, routes, Clock.systemUTC());
        String admin = c.signupAndToken("admin", "admin-password");
        c.post("/hub/api/users/admin/server", admin, "{}");
        boolean routedAtFirst = routes.get("/user/admin/").isPresent();

        await().atMost(Duration.ofSeconds(20)).until(() -> json(c.get("/hub/api/users/admin", admin))
                .get("server").isNull());

        assertThat(routedAtFirst).isTrue();
        assertThat(routes.get("/user/admin/")).isEmpty();
        // The API may show the server stopped a moment before the workspace process has exited.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(spawner.status(
                new WorkspaceRef("mlhub", "admin", "")).map(WorkspaceStatus::running)).contains(false));
    }

    private static WorkspaceSpec spec(WorkspaceRef ref) {
        WorkspaceOptions options = new WorkspaceOptions("python-http", null, null, 0, List.of(), Map.of(), null,
                null, false);
        return new WorkspaceSpec(ref, options, Map.of(), "/user/" + ref.user() + "/", List.of(), null);
    }
}
