package io.mlhub.hub.api;

import static io.mlhub.hub.testing.HubClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlhub.hub.SshInfo;
import io.mlhub.hub.config.WorkspaceLimits;
import io.mlhub.hub.testing.HubClient;
import io.mlhub.hub.testing.RunningHub;
import io.mlhub.hub.testing.TestDatabases;
import io.mlhub.hub.testing.TestDatabases.Kind;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The admin-ui pages, their settings endpoint, the account forms' error fields and the cleanup endpoints. */
@Tag("slow")
@ExtendWith(TestDatabases.class)
class UiPagesTest {
    @TempDir
    Path dir;

    private RunningHub start(TestDatabases.Factory db) throws Exception {
        Path logo = Files.writeString(dir.resolve("brand.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
        return RunningHub.start(db.create(Kind.H2),
                c -> c.withWorkspaces(List.of("img-a:1"), new WorkspaceLimits(4, 16, 0, 30, 2), logo, null),
                b -> b.sshInfo(SshInfo.of("hub.example.org", 443, List.of(HubGlueApiTest.HOST_KEY), null)));
    }

    @Test
    void pagesAndStaticFilesAreServedWithXsrfCookie(TestDatabases.Factory db) throws Exception {
        try (RunningHub hub = start(db)) {
            HubClient c = hub.client;

            HttpResponse<String> login = c.send("GET", "/hub/login", null);
            HttpResponse<String> slash = c.send("GET", "/hub/home/", null);
            HttpResponse<String> css = c.send("GET", "/hub/static/css/app.css", null);
            HttpResponse<String> traversal = c.send("GET", "/hub/static/..%2Fhome.html", null);
            HttpResponse<String> missing = c.send("GET", "/hub/static/js/nothing.js", null);
            HttpResponse<String> root = c.send("GET", "/", null);
            HttpResponse<String> hubRoot = c.send("GET", "/hub/", null);
            HttpResponse<String> logo = c.send("GET", "/hub/logo", null);

            assertThat(login.statusCode()).isEqualTo(200);
            assertThat(login.body()).contains("<form");
            assertThat(login.headers().firstValue("Content-Security-Policy")).get().asString()
                    .contains("frame-ancestors 'none'");
            assertThat(login.headers().allValues("Set-Cookie")).anyMatch(v -> v.startsWith("_xsrf="));
            assertThat(slash.statusCode()).isEqualTo(302);
            assertThat(slash.headers().firstValue("Location")).get().asString().endsWith("/hub/home");
            assertThat(css.statusCode()).isEqualTo(200);
            assertThat(css.headers().firstValue("Content-Type")).get().asString().startsWith("text/css");
            assertThat(traversal.statusCode()).as("Jetty or the path rule rejects it").isIn(400, 404);
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(root.statusCode()).isEqualTo(302);
            assertThat(root.headers().firstValue("Location")).get().asString()
                    .contains("/hub/login?next=%2Fhub%2Fhome");
            assertThat(hubRoot.statusCode()).isEqualTo(302);
            assertThat(logo.statusCode()).isEqualTo(200);
            assertThat(logo.body()).contains("<svg");
        }
    }

    @Test
    void uiConfigShowsMoreToSignedInUsers(TestDatabases.Factory db) throws Exception {
        try (RunningHub hub = start(db)) {
            HubClient c = hub.client;
            String admin = c.signupAndToken("admin", "admin-password");

            JsonNode anonymous = json(c.send("GET", "/hub/api/ui-config", null));
            JsonNode signedIn = json(c.get("/hub/api/ui-config", admin));

            assertThat(anonymous.get("hubName").asText()).isEqualTo("ML Hub");
            assertThat(anonymous.get("logoUrl").asText()).isEqualTo("/hub/logo");
            assertThat(anonymous.get("signup").get("enabled").asBoolean()).isTrue();
            assertThat(anonymous.get("names").get("user").get("pattern").asText()).startsWith("^");
            assertThat(anonymous.has("workspaceImages")).isFalse();
            assertThat(anonymous.has("ssh")).isFalse();
            assertThat(signedIn.get("workspaceImages").get(0).asText()).isEqualTo("img-a:1");
            assertThat(signedIn.get("limits").get("maxCpus").asDouble()).isEqualTo(4.0);
            assertThat(signedIn.get("limits").get("maxMemory").asText()).isEqualTo("16G");
            assertThat(signedIn.get("limits").get("maxDaysToLive").asInt()).isEqualTo(30);
            assertThat(signedIn.get("ssh").get("enabled").asBoolean()).isTrue();
            assertThat(signedIn.get("ssh").get("port").asInt()).isEqualTo(443);
            assertThat(signedIn.get("ssh").get("hostKeyFingerprints").get(0).get("fingerprint").asText())
                    .startsWith("SHA256:");
        }
    }

    @Test
    void accountFormsNameTheFieldOfTheirErrors(TestDatabases.Factory db) throws Exception {
        try (RunningHub hub = start(db)) {
            HubClient c = hub.client;
            c.signupAndToken("admin", "admin-password");

            HttpResponse<String> taken = signup(c, "admin", "other-password");
            HttpResponse<String> shortPassword = signup(c, "bea", "x");
            HttpResponse<String> badName = signup(c, "b d", "bea-password");
            HttpResponse<String> login = c.send("POST", "/hub/login",
                    "{\"username\":\"admin\",\"password\":\"admin-password\",\"next\":\"/hub/token\"}",
                    "Content-Type", "application/json", "Accept", "application/json");
            String session = cookie(login, Cookies.SESSION).orElseThrow();
            String xsrf = cookie(login, Cookies.XSRF).orElseThrow();
            HttpResponse<String> page = c.send("GET", "/hub/home", null, "Cookie", Cookies.SESSION + "=" + session);
            HttpResponse<String> wrongCurrent = c.send("POST", "/hub/change-password",
                    "{\"current_password\":\"nope\",\"new_password\":\"new-password-1\"}", "Content-Type",
                    "application/json", "Cookie", Cookies.SESSION + "=" + session, "X-XSRFToken", xsrf);
            HttpResponse<String> weakNew = c.send("POST", "/hub/change-password",
                    "{\"current_password\":\"admin-password\",\"new_password\":\"x\"}", "Content-Type",
                    "application/json", "Cookie", Cookies.SESSION + "=" + session, "X-XSRFToken", xsrf);

            assertThat(taken.statusCode()).isEqualTo(409);
            assertThat(json(taken).get("field").asText()).isEqualTo("username");
            assertThat(shortPassword.statusCode()).isEqualTo(400);
            assertThat(json(shortPassword).get("field").asText()).isEqualTo("password");
            assertThat(json(badName).get("field").asText()).isEqualTo("username");
            assertThat(login.statusCode()).isEqualTo(200);
            assertThat(json(login).get("next").asText()).isEqualTo("/hub/token");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(cookie(page, Cookies.XSRF)).as("the page sets the session's XSRF token").contains(xsrf);
            assertThat(wrongCurrent.statusCode()).isEqualTo(403);
            assertThat(json(wrongCurrent).get("field").asText()).isEqualTo("current_password");
            assertThat(weakNew.statusCode()).isEqualTo(400);
            assertThat(json(weakNew).get("field").asText()).isEqualTo("new_password");
        }
    }

    @Test
    void cleanupServiceIsForAdminsWithTokenOrCookieAndXsrf(TestDatabases.Factory db) throws Exception {
        try (RunningHub hub = start(db)) {
            HubClient c = hub.client;
            String admin = c.signupAndToken("admin", "admin-password");
            String bob = HubGlueApiTest.authorizedUser(c, admin, "bob");
            HttpResponse<String> login = c.send("POST", "/hub/login",
                    "{\"username\":\"admin\",\"password\":\"admin-password\"}",
                    "Content-Type", "application/json", "Accept", "application/json");
            String session = Cookies.SESSION + "=" + cookie(login, Cookies.SESSION).orElseThrow();
            String xsrf = cookie(login, Cookies.XSRF).orElseThrow();

            HttpResponse<String> byToken = c.get("/services/cleanup-service/users", admin);
            HttpResponse<String> byCookie = c.send("POST", "/services/cleanup-service/expired", null,
                    "Cookie", session, "X-XSRFToken", xsrf);
            HttpResponse<String> withoutXsrf = c.send("POST", "/services/cleanup-service/expired", null,
                    "Cookie", session);
            HttpResponse<String> byUser = c.post("/services/cleanup-service/users", bob, null);
            HttpResponse<String> anonymous = c.send("GET", "/services/cleanup-service/expired", null);

            assertThat(byToken.statusCode()).isEqualTo(200);
            assertThat(json(byToken).get("message").asText()).contains("deleted users");
            assertThat(byCookie.statusCode()).isEqualTo(200);
            assertThat(json(byCookie).get("removed").isArray()).isTrue();
            assertThat(withoutXsrf.statusCode()).isEqualTo(403);
            assertThat(byUser.statusCode()).isEqualTo(403);
            assertThat(anonymous.statusCode()).isEqualTo(403);
        }
    }

    private static HttpResponse<String> signup(HubClient c, String name, String password) {
        return c.send("POST", "/hub/signup", "{\"username\":\"" + name + "\",\"password\":\"" + password + "\"}",
                "Content-Type", "application/json");
    }

    private static Optional<String> cookie(HttpResponse<String> response, String name) {
        return response.headers().allValues("Set-Cookie").stream()
                .filter(v -> v.startsWith(name + "="))
                .map(v -> v.substring(name.length() + 1, v.indexOf(';')))
                .findFirst();
    }
}
