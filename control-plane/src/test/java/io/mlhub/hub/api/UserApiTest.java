package io.mlhub.hub.api;

import static io.mlhub.hub.testing.HubClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlhub.hub.testing.HubClient;
import io.mlhub.hub.testing.RunningHub;
import io.mlhub.hub.testing.TestDatabases;
import io.mlhub.hub.testing.TestDatabases.Kind;
import java.net.http.HttpResponse;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The users part of the hub API over real HTTP, on H2 and PostgreSQL. */
@Tag("slow")
@ExtendWith(TestDatabases.class)
class UserApiTest {

    @ParameterizedTest
    @EnumSource(Kind.class)
    void versionEndpointNeedsNoAuthAndEveryResponseCarriesVersion(Kind kind, TestDatabases.Factory db)
            throws Exception {
        try (RunningHub hub = RunningHub.start(db.create(kind), UnaryOperator.identity())) {
            HttpResponse<String> root = hub.client.send("GET", "/hub/api", null);
            HttpResponse<String> slash = hub.client.send("GET", "/hub/api/", null);
            HttpResponse<String> unknown = hub.client.send("GET", "/hub/api/nothing-here", null);
            HttpResponse<String> health = hub.client.send("GET", "/hub/health", null);

            assertThat(root.statusCode()).isEqualTo(200);
            assertThat(json(root).get("version").asText()).isEqualTo("3.0.0");
            assertThat(root.headers().firstValue("X-JupyterHub-Version")).contains("3.0.0");
            assertThat(slash.statusCode()).isEqualTo(200);
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(json(unknown).get("status").asInt()).isEqualTo(404);
            assertThat(unknown.headers().firstValue("X-JupyterHub-Version")).contains("3.0.0");
            assertThat(health.statusCode()).isEqualTo(200);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void anonymousAndUnknownCredentialsGet403NotUnauthorized(Kind kind, TestDatabases.Factory db) throws Exception {
        try (RunningHub hub = RunningHub.start(db.create(kind), UnaryOperator.identity())) {
            HttpResponse<String> anonymous = hub.client.send("GET", "/hub/api/users", null);
            HttpResponse<String> unknown = hub.client.get("/hub/api/users", "0123456789abcdef0123456789abcdef");
            HttpResponse<String> self = hub.client.send("GET", "/hub/api/user", null,
                    "Authorization", "bearer nope");
            HttpResponse<String> queryToken = hub.client.send("GET", "/hub/api/user?token=whatever", null);

            assertThat(anonymous.statusCode()).isEqualTo(403);
            assertThat(json(anonymous).get("message").asText()).isNotEmpty();
            assertThat(unknown.statusCode()).isEqualTo(403);
            assertThat(self.statusCode()).isEqualTo(403);
            assertThat(queryToken.statusCode()).as("the hub API ignores ?token=").isEqualTo(403);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void adminCreatesListsPatchesAndDeletesUsers(Kind kind, TestDatabases.Factory db) throws Exception {
        try (RunningHub hub = RunningHub.start(db.create(kind), UnaryOperator.identity())) {
            HubClient c = hub.client;
            String admin = c.signupAndToken("admin", "admin-password");

            HttpResponse<String> created = c.post("/hub/api/users", admin, "{\"usernames\":[\"Bob\",\"carol\"]}");
            HttpResponse<String> again = c.post("/hub/api/users", admin, "{\"usernames\":[\"bob\",\"carol\"]}");
            HttpResponse<String> one = c.post("/hub/api/users/dave", admin, "{\"admin\":true}");
            HttpResponse<String> oneAgain = c.post("/hub/api/users/dave", admin, "");
            HttpResponse<String> bob = c.get("/hub/api/users/bob", admin);
            HttpResponse<String> patched = c.patch("/hub/api/users/bob", admin, "{\"admin\":true}");
            HttpResponse<String> renamed = c.patch("/hub/api/users/carol", admin, "{\"name\":\"caroline\"}");
            HttpResponse<String> deleted = c.delete("/hub/api/users/caroline", admin, null);
            HttpResponse<String> gone = c.get("/hub/api/users/caroline", admin);
            HttpResponse<String> list = c.get("/hub/api/users", admin);

            assertThat(created.statusCode()).isEqualTo(201);
            assertThat(json(created).findValuesAsText("name")).containsExactly("bob", "carol");
            assertThat(again.statusCode()).isEqualTo(409);
            assertThat(json(again).get("message").asText()).isEqualTo("All 2 users already exist");
            assertThat(one.statusCode()).isEqualTo(201);
            assertThat(json(one).get("admin").asBoolean()).isTrue();
            assertThat(oneAgain.statusCode()).isEqualTo(409);
            assertThat(json(bob).get("kind").asText()).isEqualTo("user");
            assertThat(json(bob).get("admin").asBoolean()).isFalse();
            assertThat(json(bob).get("servers").size()).isZero();
            assertThat(json(bob).get("created").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z");
            assertThat(json(patched).get("admin").asBoolean()).isTrue();
            assertThat(json(renamed).get("name").asText()).isEqualTo("caroline");
            assertThat(deleted.statusCode()).isEqualTo(204);
            assertThat(gone.statusCode()).isEqualTo(404);
            assertThat(json(list).findValuesAsText("name")).containsExactly("admin", "bob", "dave");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void badInputGetsClearErrors(Kind kind, TestDatabases.Factory db) throws Exception {
        try (RunningHub hub = RunningHub.start(db.create(kind), UnaryOperator.identity())) {
            HubClient c = hub.client;
            String admin = c.signupAndToken("admin", "admin-password");

            HttpResponse<String> badJson = c.post("/hub/api/users", admin, "{\"usernames\": [");
            HttpResponse<String> notObject = c.post("/hub/api/users", admin, "[1,2]");
            HttpResponse<String> badKeys = c.patch("/hub/api/users/admin", admin, "{\"nmae\":\"x\"}");
            HttpResponse<String> badName = c.post("/hub/api/users", admin, "{\"usernames\":[\"bad name\"]}");
            HttpResponse<String> badPathName = c.get("/hub/api/users/a%20b", admin);
            HttpResponse<String> unknown = c.get("/hub/api/users/nobody", admin);
            HttpResponse<String> badState = c.get("/hub/api/users?state=weird", admin);
            HttpResponse<String> badLimit = c.get("/hub/api/users?limit=ten", admin);
            HttpResponse<String> deleteSelf = c.delete("/hub/api/users/admin", admin, null);

            assertThat(badJson.statusCode()).isEqualTo(400);
            assertThat(json(badJson).get("message").asText()).isEqualTo("Invalid JSON in body of request");
            assertThat(notObject.statusCode()).isEqualTo(400);
            assertThat(badKeys.statusCode()).isEqualTo(400);
            assertThat(json(badKeys).get("message").asText()).contains("Invalid JSON keys").contains("nmae");
            assertThat(badName.statusCode()).isEqualTo(400);
            assertThat(json(badName).get("message").asText()).contains("invalid user name 'bad name'");
            assertThat(badPathName.statusCode()).isEqualTo(400);
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(json(unknown).get("status").asInt()).isEqualTo(404);
            assertThat(badState.statusCode()).isEqualTo(400);
            assertThat(badLimit.statusCode()).isEqualTo(400);
            assertThat(json(badLimit).get("message").asText()).contains("offset and limit must be integers");
            assertThat(deleteSelf.statusCode()).isEqualTo(400);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void nonAdminCannotTouchOthers(Kind kind, TestDatabases.Factory db) throws Exception {
        try (RunningHub hub = RunningHub.start(db.create(kind), h -> h.withAccounts(true, h.lockout()))) {
            HubClient c = hub.client;
            c.signupAndToken("admin", "admin-password");
            String eve = c.signupAndToken("eve", "eve-password");
            c.signupAndToken("frank", "frank-password");

            assertThat(c.get("/hub/api/users", eve).statusCode()).isEqualTo(403);
            assertThat(c.get("/hub/api/users/frank", eve).statusCode()).isEqualTo(403);
            assertThat(c.get("/hub/api/users/nobody", eve).statusCode()).isEqualTo(403);
            assertThat(c.patch("/hub/api/users/eve", eve, "{\"admin\":true}").statusCode()).isEqualTo(403);
            assertThat(c.delete("/hub/api/users/frank", eve, null).statusCode()).isEqualTo(403);
            assertThat(c.post("/hub/api/users", eve, "{\"usernames\":[\"x\"]}").statusCode()).isEqualTo(403);
            assertThat(c.post("/hub/api/users/frank/tokens", eve, "{}").statusCode()).isEqualTo(403);
            assertThat(c.get("/hub/api/users/frank/tokens", eve).statusCode()).isEqualTo(403);
            assertThat(c.post("/hub/api/users/frank/server", eve, "{}").statusCode()).isEqualTo(403);
            assertThat(c.get("/hub/api/users/eve", eve).statusCode()).isEqualTo(200);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void usersArePagedWithAbsoluteNextUrl(Kind kind, TestDatabases.Factory db) throws Exception {
        try (RunningHub hub = RunningHub.start(db.create(kind), UnaryOperator.identity())) {
            HubClient c = hub.client;
            String admin = c.signupAndToken("admin", "admin-password");
            c.post("/hub/api/users", admin, "{\"usernames\":[\"u1\",\"u2\",\"u3\",\"x4\"]}");
            String paged = "application/jupyterhub-pagination+json";

            HttpResponse<String> first = c.send("GET", "/hub/api/users?limit=2&name_filter=U", null,
                    "Authorization", "token " + admin, "Accept", paged);
            JsonNode page = json(first);
            String nextUrl = page.get("_pagination").get("next").get("url").asText();
            HttpResponse<String> second = c.send("GET", nextUrl.substring(c.origin().length()), null,
                    "Authorization", "token " + admin, "Accept", paged);

            assertThat(page.get("items").findValuesAsText("name")).containsExactly("u1", "u2");
            assertThat(page.get("_pagination").get("total").asInt()).isEqualTo(3);
            assertThat(nextUrl).startsWith(c.origin() + "/hub/api/users?").contains("offset=2").contains("limit=2")
                    .contains("name_filter=U");
            assertThat(json(second).get("items").findValuesAsText("name")).containsExactly("u3");
            assertThat(json(second).get("_pagination").get("next").isNull()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void workspacePathsWithoutRouteGet424OrLogin(Kind kind, TestDatabases.Factory db) throws Exception {
        try (RunningHub hub = RunningHub.start(db.create(kind), UnaryOperator.identity())) {
            HubClient c = hub.client;
            String admin = c.signupAndToken("admin", "admin-password");

            HttpResponse<String> moved = c.send("GET", "/user/admin/tree?x=1", null);
            HttpResponse<String> api = c.get("/hub/user/admin/api/status", admin);
            HttpResponse<String> page = c.send("GET", "/hub/user/admin/tree", null, "Accept", "text/html");

            assertThat(moved.statusCode()).isEqualTo(302);
            assertThat(moved.headers().firstValue("Location")).contains("/hub/user/admin/tree?x=1");
            assertThat(api.statusCode()).isEqualTo(424);
            assertThat(json(api).get("message").asText()).contains("not running");
            assertThat(page.statusCode()).isEqualTo(302);
            assertThat(page.headers().firstValue("Location")).contains("/hub/login?next=%2Fuser%2Fadmin%2Ftree");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void malformedRequestsGetJsonErrorsWithVersion(Kind kind, TestDatabases.Factory db) throws Exception {
        try (RunningHub hub = RunningHub.start(db.create(kind), UnaryOperator.identity())) {
            String admin = hub.client.signupAndToken("admin", "admin-password");
            int port = hub.server.port();

            for (String path : java.util.List.of("/hub/api/users/%zz", "/hub/api/users/a%2Fb",
                    "/hub/api/users/%2e%2e/tokens", "/hub/api/users/a%00b")) {
                String response = rawGet(port, path, admin);
                int status = Integer.parseInt(response.substring(9, 12));

                assertThat(status).as(path + "\n" + response).isBetween(400, 404);
                assertThat(response).as(path).containsIgnoringCase("X-JupyterHub-Version: 3.0.0");
                assertThat(response).as(path).contains("\"status\":" + status);
            }
        }
    }

    private static String rawGet(int port, String path, String token) throws java.io.IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAuthorization: token "
                    + token + "\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
