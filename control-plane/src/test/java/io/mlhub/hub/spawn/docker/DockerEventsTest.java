package io.mlhub.hub.spawn.docker;

import static io.mlhub.hub.testing.HubClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import io.mlhub.hub.HubServer;
import io.mlhub.hub.config.HubConfig;
import io.mlhub.hub.spawn.WorkspaceEvent;
import io.mlhub.hub.spawn.WorkspaceNames;
import io.mlhub.hub.spawn.WorkspaceRef;
import io.mlhub.hub.spawn.WorkspaceSpec;
import io.mlhub.hub.spawn.WorkspaceWatch;
import io.mlhub.hub.testing.DockerSocketForwarder;
import io.mlhub.hub.testing.HubClient;
import io.mlhub.hub.testing.RecordingRoutes;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hub following the real Docker engine's events: containers killed or removed behind its back. The periodic
 * reconcile runs every 10 minutes here, so only the event path can notice the change within the wait.
 */
@Tag("slow")
class DockerEventsTest {
    private static final Duration NOTICED_WITHIN = Duration.ofSeconds(15);
    private static final Path DOCKER_SOCKET = Path.of("/var/run/docker.sock");

    @TempDir
    Path dir;

    private final String hubName = DockerSpawnerTest.uniqueHubName();
    private final List<String> hubNames = new ArrayList<>(List.of(hubName));
    private final List<AutoCloseable> resources = new ArrayList<>();
    private DockerClient docker;
    private HubServer hub;

    /** Opens the test's own client on the engine's socket, which it uses to kill and remove containers. */
    @BeforeEach
    void openEngineClient() {
        DockerSpawner direct = new DockerSpawner(DockerSpawnerConfig.defaults(hubName));
        resources.add(direct);
        docker = direct.client();
        DockerSpawnerTest.assumeTinyImage(docker);
    }

    private DockerSpawner spawner(String name, DockerSpawnerConfig config) {
        DockerSpawner spawner = new DockerSpawner(config);
        resources.add(spawner);
        if (!hubNames.contains(name)) {
            hubNames.add(name);
        }
        return spawner;
    }

    @AfterEach
    void removeEverythingOfTheseHubs() throws Exception {
        if (hub != null) {
            hub.stop();
        }
        for (String name : hubNames) {
            DockerSpawnerTest.removeAll(docker, name);
        }
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
    }

    private HubClient startHub(DockerSpawner spawner, RecordingRoutes routes) throws Exception {
        HubConfig config = DockerSpawnerTest.tinyHubConfig(hubName, dir);
        hub = HubServer.builder(config).spawner(spawner).routes(routes)
                .reconcileInterval(Duration.ofMinutes(10)).build();
        return new HubClient(hub.start());
    }

    private static JsonNode defaultServer(HubClient client, String token) {
        return json(client.get("/hub/api/users/admin?include_stopped_servers=true", token)).get("servers").get("");
    }

    @Test
    void killedContainerMarksServerStopped() throws Exception {
        DockerSpawner spawner = spawner(hubName, DockerSpawnerConfig.defaults(hubName)
                .withStopTimeout(Duration.ofSeconds(1)));
        RecordingRoutes routes = new RecordingRoutes();
        HubClient client = startHub(spawner, routes);
        String admin = client.signupAndToken("admin", "admin-password");
        HttpResponse<String> started = client.post("/hub/api/users/admin/server", admin, "{}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
        assertThat(routes.get("/user/admin/")).isPresent();

        docker.killContainerCmd(WorkspaceNames.container(new WorkspaceRef(hubName, "admin", ""))).exec();

        await().atMost(NOTICED_WITHIN).untilAsserted(() -> {
            assertThat(routes.get("/user/admin/")).as("route removed").isEmpty();
            assertThat(defaultServer(client, admin).get("stopped").asBoolean()).as("server stopped").isTrue();
        });
        HttpResponse<String> again = client.post("/hub/api/users/admin/server", admin, "{}");
        assertThat(again.statusCode()).as("the server starts again: %s", again.body()).isEqualTo(201);
        assertThat(routes.get("/user/admin/")).isPresent();
    }

    @Test
    void removedContainerMarksServerStopped() throws Exception {
        DockerSpawner spawner = spawner(hubName, DockerSpawnerConfig.defaults(hubName)
                .withStopTimeout(Duration.ofSeconds(1)));
        RecordingRoutes routes = new RecordingRoutes();
        HubClient client = startHub(spawner, routes);
        String admin = client.signupAndToken("admin", "admin-password");
        HttpResponse<String> started = client.post("/hub/api/users/admin/server", admin, "{}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(201);

        docker.removeContainerCmd(WorkspaceNames.container(new WorkspaceRef(hubName, "admin", "")))
                .withForce(true).exec();

        await().atMost(NOTICED_WITHIN).untilAsserted(() -> {
            assertThat(routes.get("/user/admin/")).as("route removed").isEmpty();
            assertThat(defaultServer(client, admin).get("stopped").asBoolean()).as("server stopped").isTrue();
        });
    }

    @Test
    void otherHubsContainersIgnored() throws Exception {
        DockerSpawner mine = spawner(hubName, DockerSpawnerConfig.defaults(hubName)
                .withStopTimeout(Duration.ofSeconds(1)));
        String otherHub = DockerSpawnerTest.uniqueHubName();
        DockerSpawner other = spawner(otherHub, DockerSpawnerConfig.defaults(otherHub)
                .withStopTimeout(Duration.ofSeconds(1)));
        RecordingListener listener = new RecordingListener();
        WorkspaceWatch watch = mine.watch(listener).orElseThrow();
        resources.add(watch);
        await().atMost(NOTICED_WITHIN).until(() -> listener.connects.get() == 1);
        other.start(spec(otherHub, "gina"), (percent, message) -> {});
        mine.start(spec(hubName, "gina"), (percent, message) -> {});

        docker.killContainerCmd(WorkspaceNames.container(new WorkspaceRef(otherHub, "gina", ""))).exec();
        docker.killContainerCmd(WorkspaceNames.container(new WorkspaceRef(hubName, "gina", ""))).exec();
        await().atMost(NOTICED_WITHIN).until(() -> listener.events.stream()
                .anyMatch(event -> event.action().equals("die")));

        assertThat(listener.events).extracting(WorkspaceEvent::ref)
                .containsOnly(new WorkspaceRef(hubName, "gina", ""));
        assertThat(listener.events).extracting(WorkspaceEvent::action).contains("start", "kill", "die");
        assertThat(listener.events).filteredOn(event -> event.action().equals("die"))
                .extracting(WorkspaceEvent::exitCode).containsExactly(137);
    }

    @Test
    void brokenStreamReconnectsAndCatchesUp() throws Exception {
        DockerSocketForwarder forwarder = new DockerSocketForwarder(DOCKER_SOCKET);
        resources.add(forwarder);
        DockerSpawner spawner = spawner(hubName, new DockerSpawnerConfig(hubName, forwarder.dockerHost(), 8888, 22,
                Duration.ofSeconds(1), 30, null));
        RecordingRoutes routes = new RecordingRoutes();
        HubClient client = startHub(spawner, routes);
        String admin = client.signupAndToken("admin", "admin-password");
        HttpResponse<String> started = client.post("/hub/api/users/admin/server", admin, "{}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(201);

        forwarder.cut(true);
        docker.killContainerCmd(WorkspaceNames.container(new WorkspaceRef(hubName, "admin", ""))).exec();
        Thread.sleep(1500);
        assertThat(routes.get("/user/admin/")).as("nothing noticed while disconnected").isPresent();
        forwarder.resume();

        await().atMost(NOTICED_WITHIN).untilAsserted(() -> {
            assertThat(routes.get("/user/admin/")).as("route removed").isEmpty();
            assertThat(defaultServer(client, admin).get("stopped").asBoolean()).as("server stopped").isTrue();
        });
    }

    private static WorkspaceSpec spec(String hubName, String user) {
        return new WorkspaceSpec(new WorkspaceRef(hubName, user, ""), DockerSpawnerTest.tinyOptions(Map.of()),
                Map.of(), "/user/" + user + "/", List.of(), null);
    }

    private static final class RecordingListener implements WorkspaceWatch.Listener {
        final List<WorkspaceEvent> events = new CopyOnWriteArrayList<>();
        final AtomicInteger connects = new AtomicInteger();

        @Override
        public void workspaceChanged(WorkspaceEvent event) {
            events.add(event);
        }

        @Override
        public void watchConnected() {
            connects.incrementAndGet();
        }
    }
}
