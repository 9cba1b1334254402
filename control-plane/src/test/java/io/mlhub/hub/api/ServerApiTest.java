package io.mlhub.hub.api;

import static io.mlhub.hub.testing.HubClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlhub.hub.HubServer;
import io.mlhub.hub.route.PublishedRoute;
import io.mlhub.hub.spawn.WorkspaceRef;
import io.mlhub.hub.spawn.WorkspaceSpec;
import io.mlhub.hub.store.Database;
import io.mlhub.hub.store.HubStore;
import io.mlhub.hub.testing.HttpWorkspaceSpawner.Mode;
import io.mlhub.hub.testing.HubClient;
import io.mlhub.hub.testing.RunningHub;
import io.mlhub.hub.testing.TestDatabases;
import io.mlhub.hub.testing.TestDatabases.Kind;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Server start, stop, progress and routes over real HTTP with real workspace sockets, on H2 and PostgreSQL. */
@Tag("slow")
@ExtendWith(TestDatabases.class)
class ServerApiTest {

    @ParameterizedTest
    @EnumSource(Kind.class)
    void defaultServerStartsRoutesAndStops(Kind kind, TestDatabases.Factory db) throws Exception {
        try (RunningHub hub = RunningHub.start(db.create(kind), UnaryOperator.identity())) {
            HubClient c = hub.client;
            String admin = c.signupAndToken("admin", "admin-password");

            HttpResponse<String> start = c.post("/hub/api/users/admin/server", admin, "{}");
            PublishedRoute route = hub.routes.get("/user/admin/").orElseThrow();
            HttpResponse<String> workspace = fetch(route.target() + "/user/admin/tree");
            JsonNode user = json(c.get("/hub/api/users/admin", admin));
            HttpResponse<String> again = c.post("/hub/api/users/admin/server", admin, "{}");
            HttpResponse<String> stop = c.delete("/hub/api/users/admin/server", admin, null);
            HttpResponse<String> stopAgain = c.delete("/hub/api/users/admin/server", admin, null);

            assertThat(start.statusCode()).isEqualTo(201);
            assertThat(route.user()).isEqualTo("admin");
            assertThat(route.server()).isEmpty();
            assertThat(workspace.statusCode()).isEqualTo(200);
            assertThat(user.get("server").asText()).isEqualTo("/user/admin/");
            assertThat(user.get("servers").get("").get("ready").asBoolean()).isTrue();
            assertThat(user.get("servers").get("").get("started").isNull()).isFalse();
            assertThat(again.statusCode()).isEqualTo(400);
            assertThat(json(again).get("message").asText()).isEqualTo("admin is already running");
            assertThat(stop.statusCode()).isEqualTo(204);
            assertThat(hub.routes.get("/user/admin/")).isEmpty();
            assertThat(hub.spawner.isRunning(new WorkspaceRef("mlhub", "admin", ""))).isFalse();
            assertThat(stopAgain.statusCode()).isEqualTo(204);
            assertThat(json(c.get("/hub/api/users/admin", admin)).get("server").isNull()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void workspaceGetsJupyterHubEnvironmentAndItsTokenWorks(Kind kind, TestDatabases.Factory db) throws Exception {
        try (RunningHub hub = RunningHub.start(db.create(kind), UnaryOperator.identity())) {
            HubClient c = hub.client;
            String admin = c.signupAndToken("admin", "admin-password");
            c.post("/hub/api/users", admin, "{\"usernames\":[\"ola\"]}");

            assertThat(c.post("/hub/api/users/ola/servers/lab", admin, "{}").statusCode()).isEqualTo(201);
            WorkspaceSpec spec = hub.spawner.spec(new WorkspaceRef("mlhub", "ola", "lab")).orElseThrow();
            Map<String, String> env = spec.environment();
            String token = env.get("JUPYTERHUB_API_TOKEN");
            String now = Instant.now().toString();
            HttpResponse<String> activity = c.post("/hub/api/users/ola/activity", token,
                    "{\"servers\":{\"lab\":{\"last_activity\":\"" + now + "\"}},\"last_activity\":\"" + now + "\"}");
            HttpResponse<String> unknownServer = c.post("/hub/api/users/ola/activity", token,
                    "{\"servers\":{\"nope\":{\"last_activity\":\"" + now + "\"}}}");
            HttpResponse<String> future = c.post("/hub/api/users/ola/activity", token,
                    "{\"last_activity\":\"" + Instant.now().plus(Duration.ofHours(2)) + "\"}");
            HttpResponse<String> identity = c.get("/hub/api/user", token);
            HttpResponse<String> otherUsers = c.get("/hub/api/users", token);

            assertThat(spec.baseUrl()).isEqualTo("/user/ola/lab/");
            assertThat(env).containsEntry("JUPYTERHUB_CLIENT_ID", "jupyterhub-user-ola-lab")
                    .containsEntry("JUPYTERHUB_SERVICE_PREFIX", "/user/ola/lab/")
                    .containsEntry("JUPYTERHUB_USER", "ola")
                    .containsEntry("JUPYTERHUB_SERVER_NAME", "lab")
                    .containsEntry("JUPYTERHUB_BASE_URL", "/")
                    .containsEntry("JUPYTERHUB_OAUTH_CALLBACK_URL", "/user/ola/lab/oauth_callback")
                    .containsEntry("JUPYTERHUB_API_URL", c.origin() + "/hub/api")
                    .containsEntry("JUPYTERHUB_ACTIVITY_URL", c.origin() + "/hub/api/users/ola/activity");
            assertThat(env.get("JUPYTERHUB_OAUTH_ACCESS_SCOPES")).contains("access:servers!server=ola/lab");
            assertThat(token).matches("[0-9a-f]{32}");
            assertThat(activity.statusCode()).isEqualTo(200);
            assertThat(unknownServer.statusCode()).isEqualTo(400);
            assertThat(future.statusCode()).isEqualTo(400);
            assertThat(json(identity).get("name").asText()).isEqualTo("ola");
            assertThat(json(identity).get("scopes").toString()).contains("users:activity!user=ola");
            assertThat(otherUsers.statusCode()).isEqualTo(403);
            JsonNode server = json(c.get("/hub/api/users/ola", admin)).get("servers").get("lab");
            assertThat(server.get("last_activity").asText()).startsWith(now.substring(0, 19));

            c.delete("/hub/api/users/ola/servers/lab", admin, null);

            assertThat(c.get("/hub/api/user", token).statusCode()).as("the server token dies with the server")
                    .isEqualTo(403);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void namedServersFollowTheRules(Kind kind, TestDatabases.Factory db) throws Exception {
        try (RunningHub hub = RunningHub.start(db.create(kind),
                h -> h.withServers(true, 1, h.slowSpawnTimeout(), h.spawnTimeout()))) {
            HubClient c = hub.client;
            String admin = c.signupAndToken("admin", "admin-password");

            HttpResponse<String> first = c.post("/hub/api/users/admin/servers/One", admin, "{}");
            boolean routed = hub.routes.get("/user/admin/one/").isPresent();
            HttpResponse<String> second = c.post("/hub/api/users/admin/servers/two", admin, "{}");
            HttpResponse<String> badName = c.post("/hub/api/users/admin/servers/b%20d", admin, "{}");
            HttpResponse<String> badOption = c.post("/hub/api/users/admin/server", admin, "{\"cpus\":64}");
            HttpResponse<String> badImage = c.post("/hub/api/users/admin/server", admin, "{\"image\":\"evil\"}");
            HttpResponse<String> unknown = c.delete("/hub/api/users/admin/servers/ghost", admin, null);
            HttpResponse<String> removeDefault = c.delete("/hub/api/users/admin/server", admin, "{\"remove\":true}");
            HttpResponse<String> remove = c.delete("/hub/api/users/admin/servers/one", admin, "{\"remove\":true}");
            JsonNode after = json(c.get("/hub/api/users/admin?include_stopped_servers", admin));

            assertThat(first.statusCode()).isEqualTo(201);
            assertThat(routed).as("the name is lower-cased in the route").isTrue();
            assertThat(second.statusCode()).isEqualTo(400);
            assertThat(json(second).get("message").asText()).contains("maximum of 1 named servers");
            assertThat(badName.statusCode()).isEqualTo(400);
            assertThat(badOption.statusCode()).isEqualTo(400);
            assertThat(json(badOption).get("field").asText()).isEqualTo("cpus");
            assertThat(badImage.statusCode()).isEqualTo(400);
            assertThat(json(badImage).get("field").asText()).isEqualTo("image");
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(json(unknown).get("message").asText()).isEqualTo("admin has no server named 'ghost'");
            assertThat(removeDefault.statusCode()).isEqualTo(400);
            assertThat(remove.statusCode()).isEqualTo(204);
            assertThat(after.get("servers").has("one")).isFalse();
            assertThat(hub.routes.size()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void namedServersCanBeSwitchedOff(Kind kind, TestDatabases.Factory db) throws Exception {
        try (RunningHub hub = RunningHub.start(db.create(kind),
                h -> h.withServers(false, 0, h.slowSpawnTimeout(), h.spawnTimeout()))) {
            String admin = hub.client.signupAndToken("admin", "admin-password");

            HttpResponse<String> named = hub.client.post("/hub/api/users/admin/servers/lab", admin, "{}");

            assertThat(named.statusCode()).isEqualTo(400);
            assertThat(json(named).get("message").asText()).isEqualTo("Named servers are not enabled.");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void slowSpawnAnswers202AndStreamsProgressUntilReady(Kind kind, TestDatabases.Factory db) throws Exception {
        try (RunningHub hub = RunningHub.start(db.create(kind),
                h -> h.withServers(true, 0, Duration.ofMillis(300), Duration.ofSeconds(30)))) {
            HubClient c = hub.client;
            String admin = c.signupAndToken("admin", "admin-password");
            hub.spawner.mode(Mode.SLOW);
            hub.spawner.slowDelay(Duration.ofSeconds(2));

            HttpResponse<String> start = c.post("/hub/api/users/admin/server", admin, "{}");
            HttpResponse<String> startAgain = c.post("/hub/api/users/admin/server", admin, "{}");
            HttpResponse<String> stopWhilePending = c.delete("/hub/api/users/admin/server", admin, null);
            JsonNode pending = json(c.get("/hub/api/users/admin", admin));
            HttpResponse<String> progress = c.get("/hub/api/users/admin/server/progress", admin);

            assertThat(start.statusCode()).isEqualTo(202);
            assertThat(startAgain.statusCode()).isEqualTo(202);
            assertThat(stopWhilePending.statusCode()).isEqualTo(400);
            assertThat(pending.get("pending").asText()).isEqualTo("spawn");
            assertThat(progress.statusCode()).isEqualTo(200);
            assertThat(progress.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
            assertThat(progress.body()).startsWith("data: {\"progress\":0,\"message\":\"Server requested\"}\n\n")
                    .contains("Starting test workspace")
                    .contains("\"ready\":true")
                    .contains("\"url\":\"/user/admin/\"");
            assertThat(hub.routes.get("/user/admin/")).isPresent();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void pendingStartRejectsOtherOptions(Kind kind, TestDatabases.Factory db) throws Exception {
        try (RunningHub hub = RunningHub.start(db.create(kind),
                h -> h.withServers(true, 0, Duration.ofMillis(300), Duration.ofSeconds(30)))) {
            HubClient c = hub.client;
            String admin = c.signupAndToken("admin", "admin-password");
            hub.spawner.mode(Mode.SLOW);
            hub.spawner.slowDelay(Duration.ofSeconds(2));

            HttpResponse<String> start = c.post("/hub/api/users/admin/server", admin, "{\"env\":{\"A\":\"1\"}}");
            HttpResponse<String> same = c.post("/hub/api/users/admin/server", admin, "{\"env\":{\"A\":\"1\"}}");
            HttpResponse<String> other = c.post("/hub/api/users/admin/server", admin, "{\"env\":{\"A\":\"2\"}}");
            HttpResponse<String> invalid = c.post("/hub/api/users/admin/server", admin, "{\"cpu_limit\":\"abc\"}");

            assertThat(start.statusCode()).isEqualTo(202);
            assertThat(same.statusCode()).isEqualTo(202);
            assertThat(other.statusCode()).isEqualTo(400);
            assertThat(json(other).get("message").asText()).contains("pending spawn with other options");
            assertThat(invalid.statusCode()).isEqualTo(400);
            assertThat(json(invalid).get("message").asText()).contains("cpu_limit");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void failedStartKeepsWorkingOptions(Kind kind, TestDatabases.Factory db) throws Exception {
        try (RunningHub hub = RunningHub.start(db.create(kind), UnaryOperator.identity())) {
            HubClient c = hub.client;
            String admin = c.signupAndToken("admin", "admin-password");
            assertThat(c.post("/hub/api/users/admin/server", admin, "{\"env\":{\"A\":\"works\"}}").statusCode())
                    .isEqualTo(201);
            assertThat(c.delete("/hub/api/users/admin/server", admin, null).statusCode()).isEqualTo(204);

            hub.spawner.mode(Mode.EXITS);
            HttpResponse<String> failed = c.post("/hub/api/users/admin/server", admin,
                    "{\"env\":{\"A\":\"breaks\"}}");
            hub.spawner.mode(Mode.NORMAL);
            HttpResponse<String> restart = c.post("/hub/api/users/admin/server", admin, "");
            JsonNode options = json(c.get("/hub/api/users/admin", admin)).path("servers").path("")
                    .path("user_options");

            assertThat(failed.statusCode()).isEqualTo(500);
            assertThat(restart.statusCode()).isEqualTo(201);
            assertThat(options.path("env").path("A").asText()).as("options: %s", options).isEqualTo("works");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void workspaceThatExitsFailsFastWithItsLog(Kind kind, TestDatabases.Factory db) throws Exception {
        try (RunningHub hub = RunningHub.start(db.create(kind), UnaryOperator.identity())) {
            HubClient c = hub.client;
            String admin = c.signupAndToken("admin", "admin-password");
            hub.spawner.mode(Mode.EXITS);

            long started = System.nanoTime();
            HttpResponse<String> start = c.post("/hub/api/users/admin/server", admin, "{}");
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            HttpResponse<String> progress = c.get("/hub/api/users/admin/server/progress", admin);
            boolean routed = hub.routes.get("/user/admin/").isPresent();
            hub.spawner.mode(Mode.ENGINE_ERROR);
            HttpResponse<String> engineError = c.post("/hub/api/users/admin/server", admin, "{}");
            hub.spawner.mode(Mode.NORMAL);
            HttpResponse<String> retry = c.post("/hub/api/users/admin/server", admin, "{}");

            assertThat(start.statusCode()).isEqualTo(500);
            assertThat(json(start).get("message").asText()).contains("exited with code 3")
                    .contains("fatal: test workspace crashed");
            assertThat(took).as("fails well before the 120 s spawn timeout").isLessThan(Duration.ofSeconds(60));
            assertThat(progress.body()).contains("\"failed\":true").contains("Spawn failed");
            assertThat(routed).isFalse();
            assertThat(engineError.statusCode()).isEqualTo(500);
            assertThat(json(engineError).get("message").asText()).contains("engine rejected the test workspace");
            assertThat(retry.statusCode()).isEqualTo(201);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void restartPublishesRunningRoutesAndUserDeleteStopsServers(Kind kind, TestDatabases.Factory db)
            throws Exception {
        var database = db.create(kind);
        try (RunningHub hub = RunningHub.start(database, UnaryOperator.identity())) {
            HubClient c = hub.client;
            String admin = c.signupAndToken("admin", "admin-password");
            c.post("/hub/api/users", admin, "{\"usernames\":[\"pia\"]}");
            c.post("/hub/api/users/pia/server", admin, "{}");
            PublishedRoute before = hub.routes.get("/user/pia/").orElseThrow();

            hub.server.stop();
            hub.routes.replaceAll(java.util.List.of());
            HubServer restarted = HubServer.builder(hub.config).spawner(hub.spawner).routes(hub.routes).build();
            int port = restarted.start();
            try {
                HubClient again = new HubClient(port);

                assertThat(hub.routes.get("/user/pia/")).contains(before);
                assertThat(hub.spawner.isRunning(new WorkspaceRef("mlhub", "pia", ""))).isTrue();

                HttpResponse<String> delete = again.delete("/hub/api/users/pia", admin, null);

                assertThat(delete.statusCode()).isEqualTo(204);
                assertThat(hub.routes.get("/user/pia/")).isEmpty();
                assertThat(hub.spawner.isRunning(new WorkspaceRef("mlhub", "pia", ""))).isFalse();
            } finally {
                restarted.stop();
                hub.server.start();
            }
        }
    }

    private static HttpResponse<String> fetch(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void baseUrlPrefixesApiCookiesAndRoutes(TestDatabases.Factory db) throws Exception {
        try (RunningHub hub = RunningHub.start(db.create(Kind.H2), h -> h.withUrls("/base/", null))) {
            HubClient c = hub.client;
            HttpResponse<String> signup = c.send("POST", "/base/hub/signup",
                    "{\"username\":\"admin\",\"password\":\"admin-password\"}", "Content-Type", "application/json");
            HttpResponse<String> login = c.send("POST", "/base/hub/login", "username=admin&password=admin-password",
                    "Content-Type", "application/x-www-form-urlencoded");
            String session = LoginTest.value(LoginTest.cookie(login, Cookies.SESSION).orElseThrow());
            String token = json(c.send("POST", "/base/hub/api/users/admin/tokens", "{}",
                    "Cookie", Cookies.SESSION + "=" + session, "X-XSRFToken", Cookies.xsrfFor(session),
                    "Content-Type", "application/json")).get("token").asText();

            HttpResponse<String> start = c.post("/base/hub/api/users/admin/server", token, "{}");
            HttpResponse<String> outside = c.send("GET", "/hub/api", null);

            assertThat(signup.statusCode()).isEqualTo(201);
            assertThat(login.headers().firstValue("Location")).contains("/base/hub/home");
            assertThat(LoginTest.cookie(login, Cookies.SESSION).orElseThrow()).contains("Path=/base/;");
            assertThat(LoginTest.cookie(login, Cookies.XSRF).orElseThrow()).contains("Path=/base/hub/;");
            assertThat(start.statusCode()).isEqualTo(201);
            assertThat(hub.routes.get("/base/user/admin/")).isPresent();
            assertThat(hub.spawner.spec(new WorkspaceRef("mlhub", "admin", "")).orElseThrow().environment())
                    .containsEntry("JUPYTERHUB_BASE_URL", "/base/")
                    .containsEntry("JUPYTERHUB_SERVICE_PREFIX", "/base/user/admin/")
                    .containsEntry("JUPYTERHUB_API_URL", c.origin() + "/base/hub/api");
            assertThat(outside.statusCode()).isEqualTo(404);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void startCutOffByHubExitIsStoppedOnNextStart(Kind kind, TestDatabases.Factory db) throws Exception {
        var database = db.create(kind);
        try (RunningHub hub = RunningHub.start(database, UnaryOperator.identity())) {
            String admin = hub.client.signupAndToken("admin", "admin-password");
            hub.server.stop();
            try (Database direct = Database.open(database)) {
                HubStore store = HubStore.over(direct);
                long id = store.users().find("admin").orElseThrow().id();
                store.servers().markSpawning(id, "", "{}", null);
            }

            hub.server.start();
            HubClient again = new HubClient(hub.server.port());
            JsonNode user = json(again.get("/hub/api/users/admin?include_stopped_servers", admin));

            assertThat(user.get("pending").isNull()).isTrue();
            assertThat(user.get("servers").get("").get("stopped").asBoolean()).isTrue();
            assertThat(again.post("/hub/api/users/admin/server", admin, "{}").statusCode()).isEqualTo(201);
        }
    }
}
