package io.mlhub.hub.oauth;

import static io.mlhub.hub.testing.HubClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.mlhub.hub.HubServer;
import io.mlhub.hub.config.HubConfig;
import io.mlhub.hub.spawn.WorkspaceRef;
import io.mlhub.hub.testing.Browser;
import io.mlhub.hub.testing.HubClient;
import io.mlhub.hub.testing.RecordingRoutes;
import io.mlhub.hub.testing.SingleUserSpawner;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Logs users in to a real {@code jupyterhub-singleuser} (Debian's JupyterHub 3.0 with the classic notebook)
 * through the hub's OAuth provider, with a browser-like client that routes {@code /user/} paths the way the proxy
 * does.
 */
@Tag("slow")
class SingleUserOAuthTest {
    @TempDir
    Path dir;

    private SingleUserSpawner spawner;
    private RecordingRoutes routes;
    private HubServer hub;
    private HubClient api;
    private URI origin;

    @BeforeEach
    void startHub() throws Exception {
        int port = SingleUserSpawner.freePort();
        origin = URI.create("http://127.0.0.1:" + port);
        HubConfig config = HubConfig.defaults(dir.resolve("data")).withUrls("/", origin.toString())
                .withServers(true, 0, Duration.ofSeconds(60), Duration.ofSeconds(60))
                .withAccounts(true, HubConfig.defaults(dir).lockout());
        spawner = new SingleUserSpawner(dir.resolve("workspaces"));
        routes = new RecordingRoutes();
        hub = HubServer.builder(config).spawner(spawner).routes(routes).port(port).build();
        hub.start();
        api = new HubClient(port);
    }

    @AfterEach
    void stopHub() throws Exception {
        hub.stop();
        spawner.stopAll();
    }

    @Test
    void ownerReachesNotebookThroughOAuthAndOthersGet403() throws Exception {
        api.signupAndToken("alice", "alice-password");
        String adminToken = api.signupAndToken("admin", "admin-password");
        api.signupAndToken("bob", "bob-password");

        HttpResponse<String> spawn = api.post("/hub/api/users/alice/server", adminToken, "{}");
        assertThat(spawn.statusCode()).as(String.join("\n", spawner.logLines(new WorkspaceRef("mlhub", "alice", ""))))
                .isEqualTo(201);

        Browser alice = new Browser(origin, routes);
        HttpResponse<String> login = alice.postForm("/hub/login?next=%2Fuser%2Falice%2Ftree",
                "username=alice&password=alice-password");

        assertThat(login.statusCode()).as("hops: %s", alice.hops()).isEqualTo(200);
        assertThat(login.body()).contains("Jupyter").containsIgnoringCase("notebook");
        assertThat(alice.hops()).anyMatch(hop -> hop.startsWith("302 GET " + origin + "/hub/api/oauth2/authorize"))
                .anyMatch(hop -> hop.contains("/user/alice/oauth_callback?code="));

        HttpResponse<String> again = alice.open("/user/alice/tree");
        assertThat(again.statusCode()).as("the workspace cookie now suffices").isEqualTo(200);
        assertThat(alice.hops()).hasSize(1);

        Browser bob = new Browser(origin, routes);
        HttpResponse<String> intruder = bob.postForm("/hub/login?next=%2Fuser%2Falice%2Ftree",
                "username=bob&password=bob-password");

        assertThat(intruder.statusCode()).as("hops: %s", bob.hops()).isEqualTo(403);
        assertThat(bob.hops()).last().asString().contains("/hub/api/oauth2/authorize");

        List<String> tokens = json(api.get("/hub/api/users/alice/tokens", adminToken)).get("api_tokens")
                .findValuesAsText("oauth_client");
        assertThat(tokens).as("the OAuth access token is listed with its client").contains("Server at /user/alice/");
    }
}
