package io.mlhub.hub.spawn.docker;

import static io.mlhub.hub.testing.HubClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import io.mlhub.hub.HubServer;
import io.mlhub.hub.config.HubConfig;
import io.mlhub.hub.route.PublishedRoute;
import io.mlhub.hub.testing.HubClient;
import io.mlhub.hub.testing.RecordingRoutes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fifty users start their default servers at the same moment through a real hub on the real Docker engine. Each
 * user gets a bridge network of their own.
 */
@Tag("slow")
class DockerConcurrentSpawnTest {
    private static final int USERS = 50;

    @TempDir
    Path dir;

    private final String hubName = DockerSpawnerTest.uniqueHubName();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private DockerSpawner spawner;
    private DockerClient docker;
    private HubServer hub;

    @BeforeEach
    void createSpawner() {
        spawner = new DockerSpawner(DockerSpawnerConfig.defaults(hubName).withStopTimeout(Duration.ofSeconds(1)));
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
    void fiftyConcurrentSpawnsAllReady() throws Exception {
        HubConfig config = DockerSpawnerTest.tinyHubConfig(hubName, dir);
        RecordingRoutes routes = new RecordingRoutes();
        hub = HubServer.builder(config).spawner(spawner).routes(routes).build();
        HubClient client = new HubClient(hub.start());
        String admin = client.signupAndToken("admin", "admin-password");
        List<String> users = IntStream.range(0, USERS).mapToObj(i -> "user" + i).toList();
        String names = String.join("\",\"", users);
        HttpResponse<String> created = client.post("/hub/api/users", admin, "{\"usernames\":[\"" + names + "\"]}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

        List<HttpResponse<String>> starts = concurrently(users,
                user -> client.post("/hub/api/users/" + user + "/server", admin, "{}"));

        assertThat(starts).as("every start is accepted").allSatisfy(response ->
                assertThat(response.statusCode()).as(response.body()).isIn(201, 202));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            for (String user : users) {
                assertThat(json(client.get("/hub/api/users/" + user, admin)).get("servers").get("").get("ready")
                        .asBoolean()).as("server of %s ready", user).isTrue();
            }
        });
        for (String user : users) {
            PublishedRoute route = routes.get("/user/" + user + "/").orElseThrow();
            HttpResponse<String> answer = get(route.target().resolve("/user/" + user + "/api"));
            assertThat(answer.statusCode()).as("workspace of %s answers", user).isEqualTo(200);
        }
        assertThat(docker.listNetworksCmd().withFilter("label", List.of("mlhub.origin=" + hubName)).exec())
                .as("one network per user").hasSize(USERS);

        List<HttpResponse<String>> deletes = concurrently(users,
                user -> client.delete("/hub/api/users/" + user, admin, null));

        assertThat(deletes).as("every user is deleted").allSatisfy(response ->
                assertThat(response.statusCode()).as(response.body()).isEqualTo(204));
        assertThat(routes.size()).as("no route is left").isZero();
        assertThat(docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of("mlhub.origin", hubName))
                .exec()).as("no container is left").isEmpty();
        assertThat(docker.listNetworksCmd().withFilter("label", List.of("mlhub.origin=" + hubName)).exec())
                .as("no network is left").isEmpty();
    }

    private static List<HttpResponse<String>> concurrently(List<String> users,
            Function<String, HttpResponse<String>> request) throws Exception {
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<HttpResponse<String>>> futures = new ArrayList<>();
            for (String user : users) {
                futures.add(threads.submit(() -> request.apply(user)));
            }
            List<HttpResponse<String>> responses = new ArrayList<>();
            for (Future<HttpResponse<String>> future : futures) {
                responses.add(future.get());
            }
            return responses;
        }
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
