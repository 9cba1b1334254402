package io.mlhub.hub.spawn.docker;

import static io.mlhub.hub.testing.HubClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import io.mlhub.hub.HubServer;
import io.mlhub.hub.config.HubConfig;
import io.mlhub.hub.testing.HubClient;
import io.mlhub.hub.testing.MutableClock;
import io.mlhub.hub.testing.RecordingRoutes;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cleanup service of a real hub against the real Docker engine with the tiny test image. */
@Tag("slow")
class DockerHubCleanupTest {
    @TempDir
    Path dir;

    private final String hubName = DockerSpawnerTest.uniqueHubName();
    private DockerSpawner spawner;
    private DockerClient docker;
    private HubServer hub;

    @BeforeEach
    void createSpawner() {
        spawner = new DockerSpawner(DockerSpawnerConfig.defaults(hubName).withStopTimeout(Duration.ofSeconds(2)));
        docker = spawner.client();
        DockerSpawnerTest.assumeTinyImage(docker);
    }

    @AfterEach
    void removeEverythingOfThisHub() throws Exception {
        if (hub != null) {
            hub.stop();
        }
        DockerSpawnerTest.removeAll(docker, hubName);
        spawner.close();
    }

    @Test
    void cleanupRemovesExpiredAndDeletedUsersContainers() throws Exception {
        HubConfig config = DockerSpawnerTest.tinyHubConfig(hubName, dir);
        MutableClock clock = new MutableClock();
        RecordingRoutes routes = new RecordingRoutes();
        hub = HubServer.builder(config).spawner(spawner).routes(routes).clock(clock).build();
        HubClient c = new HubClient(hub.start());
        String admin = c.signupAndToken("admin", "admin-password");
        c.post("/hub/api/users", admin, "{\"usernames\":[\"leaver\"]}");
        HttpResponse<String> shortLived = c.post("/hub/api/users/admin/servers/short", admin,
                "{\"days_to_live\":1,\"mem_limit\":\"256M\"}");
        HttpResponse<String> leavers = c.post("/hub/api/users/leaver/server", admin, "{}");
        long leaverId = hub.store().users().find("leaver").orElseThrow().id();
        hub.store().users().delete(leaverId);
        clock.advance(Duration.ofDays(2));

        HttpResponse<String> expired = c.post("/services/cleanup-service/expired", admin, null);
        HttpResponse<String> users = c.get("/services/cleanup-service/users", admin);
        List<Container> left = docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of("mlhub.origin", hubName)).exec();
        JsonNode servers = json(c.get("/hub/api/users/admin?include_stopped_servers=true", admin)).get("servers");

        assertThat(shortLived.statusCode()).as(shortLived.body()).isEqualTo(201);
        assertThat(leavers.statusCode()).as(leavers.body()).isEqualTo(201);
        assertThat(expired.statusCode()).isEqualTo(200);
        assertThat(json(expired).get("removed").get(0).get("server").asText()).isEqualTo("short");
        assertThat(users.statusCode()).isEqualTo(200);
        assertThat(json(users).get("removedUsers").get(0).asText()).isEqualTo("leaver");
        assertThat(left).as("no container of this hub is left").isEmpty();
        assertThat(docker.listNetworksCmd().withFilter("label", List.of("mlhub.origin=" + hubName)).exec())
                .extracting(n -> n.getName()).noneMatch(name -> name.contains("leaver"));
        assertThat(servers.has("short")).isFalse();
        assertThat(routes.get("/user/admin/short/")).isEmpty();
    }
}
