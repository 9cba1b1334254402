package io.mlhub.hub.api;

import static io.mlhub.hub.testing.HubClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.mlhub.hub.config.ConfigLoader;
import io.mlhub.hub.config.HubConfig;
import io.mlhub.hub.config.LockoutSettings;
import io.mlhub.hub.testing.HubClient;
import io.mlhub.hub.testing.RunningHub;
import io.mlhub.hub.testing.TestDatabases;
import io.mlhub.hub.testing.TestDatabases.Kind;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Sign-up, login, sessions, XSRF, lock-out and the whitelist over real HTTP, on H2 and PostgreSQL. */
@Tag("slow")
@ExtendWith(TestDatabases.class)
class LoginTest {
    private static final String FORM = "application/x-www-form-urlencoded";

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Kind.class)
    void signupWaitsForAuthorizationUnlessAdminListed(Kind kind, TestDatabases.Factory db) throws Exception {
        try (RunningHub hub = RunningHub.start(db.create(kind), UnaryOperator.identity())) {
            HubClient c = hub.client;
            String admin = c.signupAndToken("Admin", "admin-password");

            HttpResponse<String> signup = c.send("POST", "/hub/signup", "username=Gina&password=gina-password",
                    "Content-Type", FORM);
            HttpResponse<String> pending = login(c, "gina", "gina-password", "/hub/home");
            HttpResponse<String> duplicate = c.send("POST", "/hub/signup",
                    "{\"username\":\"GINA\",\"password\":\"other-password\"}", "Content-Type", "application/json");
            HttpResponse<String> shortPassword = c.send("POST", "/hub/signup",
                    "{\"username\":\"hal\",\"password\":\"short\"}", "Content-Type", "application/json");
            HttpResponse<String> badName = c.send("POST", "/hub/signup",
                    "{\"username\":\"h@l\",\"password\":\"long-enough\"}", "Content-Type", "application/json");
            c.patch("/hub/api/users/gina", admin, "{\"authorized\":true}");
            HttpResponse<String> authorized = login(c, "gina", "gina-password", "/hub/home");

            assertThat(json(c.get("/hub/api/users/admin", admin)).get("admin").asBoolean()).isTrue();
            assertThat(signup.statusCode()).isEqualTo(201);
            assertThat(signup.body()).contains("waits for an administrator");
            assertThat(pending.statusCode()).isEqualTo(403);
            assertThat(pending.body()).contains("not authorized yet");
            assertThat(duplicate.statusCode()).isEqualTo(409);
            assertThat(shortPassword.statusCode()).isEqualTo(400);
            assertThat(badName.statusCode()).isEqualTo(400);
            assertThat(authorized.statusCode()).isEqualTo(302);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void loginSetsSessionCookieAndRedirectsOnlyToSafeNext(Kind kind, TestDatabases.Factory db) throws Exception {
        try (RunningHub hub = RunningHub.start(db.create(kind), UnaryOperator.identity())) {
            HubClient c = hub.client;
            c.signupAndToken("admin", "admin-password");

            HttpResponse<String> good = login(c, "admin", "admin-password", "/user/admin/lab?x=1");
            HttpResponse<String> evil = login(c, "admin", "admin-password", "//evil.example/x");
            HttpResponse<String> absolute = login(c, "admin", "admin-password", "https://evil.example/");
            HttpResponse<String> backslash = login(c, "admin", "admin-password", "/\\evil.example");
            HttpResponse<String> json = c.send("POST", "/hub/login",
                    "{\"username\":\"admin\",\"password\":\"admin-password\"}", "Content-Type", "application/json");

            assertThat(good.statusCode()).isEqualTo(302);
            assertThat(good.headers().firstValue("Location")).contains("/user/admin/lab?x=1");
            assertThat(evil.headers().firstValue("Location")).contains("/hub/home");
            assertThat(absolute.headers().firstValue("Location")).contains("/hub/home");
            assertThat(backslash.headers().firstValue("Location")).contains("/hub/home");
            String session = cookie(good, Cookies.SESSION).orElseThrow();
            assertThat(session).contains("HttpOnly").contains("SameSite=Lax").contains("Path=/;")
                    .doesNotContain("Secure");
            assertThat(cookie(good, Cookies.XSRF).orElseThrow()).contains("Path=/hub/").doesNotContain("HttpOnly");
            assertThat(json.statusCode()).isEqualTo(200);
            assertThat(json(json).get("name").asText()).isEqualTo("admin");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void cookieRequestsThatChangeStateNeedXsrf(Kind kind, TestDatabases.Factory db) throws Exception {
        try (RunningHub hub = RunningHub.start(db.create(kind), UnaryOperator.identity())) {
            HubClient c = hub.client;
            c.signupAndToken("admin", "admin-password");
            HttpResponse<String> login = login(c, "admin", "admin-password", "/hub/home");
            String session = value(cookie(login, Cookies.SESSION).orElseThrow());
            String xsrf = value(cookie(login, Cookies.XSRF).orElseThrow());
            String cookies = Cookies.SESSION + "=" + session + "; _xsrf=" + xsrf;

            HttpResponse<String> read = c.send("GET", "/hub/api/user", null, "Cookie", cookies);
            HttpResponse<String> missing = c.send("POST", "/hub/api/users", "{\"usernames\":[\"ivy\"]}",
                    "Cookie", cookies, "Content-Type", "application/json");
            HttpResponse<String> wrong = c.send("POST", "/hub/api/users", "{\"usernames\":[\"ivy\"]}",
                    "Cookie", cookies, "Content-Type", "application/json", "X-XSRFToken", "0".repeat(32));
            HttpResponse<String> header = c.send("POST", "/hub/api/users", "{\"usernames\":[\"ivy\"]}",
                    "Cookie", cookies, "Content-Type", "application/json", "X-XSRFToken", xsrf);
            HttpResponse<String> formField = c.send("POST", "/hub/change-password",
                    "current_password=admin-password&new_password=admin-password-2&_xsrf=" + xsrf,
                    "Cookie", cookies, "Content-Type", FORM);
            HttpResponse<String> formWithout = c.send("POST", "/hub/change-password",
                    "current_password=admin-password-2&new_password=admin-password-3",
                    "Cookie", cookies, "Content-Type", FORM);

            assertThat(read.statusCode()).isEqualTo(200);
            assertThat(json(read).get("name").asText()).isEqualTo("admin");
            assertThat(missing.statusCode()).isEqualTo(403);
            assertThat(json(missing).get("message").asText()).contains("XSRF");
            assertThat(wrong.statusCode()).isEqualTo(403);
            assertThat(header.statusCode()).isEqualTo(201);
            assertThat(formField.statusCode()).isEqualTo(200);
            assertThat(formWithout.statusCode()).isEqualTo(403);
            assertThat(login(c, "admin", "admin-password-2", "/hub/home").statusCode()).isEqualTo(302);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void logoutEndsTheSessionAndTellsListeners(Kind kind, TestDatabases.Factory db) throws Exception {
        try (RunningHub hub = RunningHub.start(db.create(kind), UnaryOperator.identity())) {
            HubClient c = hub.client;
            c.signupAndToken("admin", "admin-password");
            List<String> invalidated = new java.util.concurrent.CopyOnWriteArrayList<>();
            hub.server.credentials().addListener(invalidated::add);
            String session = value(cookie(login(c, "admin", "admin-password", "/hub/home"), Cookies.SESSION)
                    .orElseThrow());

            assertThat(hub.server.credentials().resolveSession(session)).isNotNull();
            assertThat(hub.server.credentials().resolveSession(session).admin()).isTrue();

            HttpResponse<String> logout = c.send("GET", "/hub/logout", null, "Cookie", Cookies.SESSION + "=" + session);
            HttpResponse<String> after = c.send("GET", "/hub/api/user", null, "Cookie", Cookies.SESSION + "=" + session);

            assertThat(logout.statusCode()).isEqualTo(302);
            assertThat(cookie(logout, Cookies.SESSION).orElseThrow()).contains("Max-Age=0");
            assertThat(after.statusCode()).isEqualTo(403);
            assertThat(hub.server.credentials().resolveSession(session)).isNull();
            assertThat(invalidated).contains("admin");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void repeatedFailuresLockTheAccountWithoutRevealingNames(Kind kind, TestDatabases.Factory db) throws Exception {
        LockoutSettings lockout = new LockoutSettings(3, Duration.ofSeconds(2));
        try (RunningHub hub = RunningHub.start(db.create(kind), h -> h.withAccounts(false, lockout))) {
            HubClient c = hub.client;
            c.signupAndToken("admin", "admin-password");

            HttpResponse<String> unknown = jsonLogin(c, "nobody", "whatever-pw");
            for (int i = 0; i < 3; i++) {
                assertThat(jsonLogin(c, "admin", "wrong-password").statusCode()).isEqualTo(403);
            }
            HttpResponse<String> locked = jsonLogin(c, "admin", "admin-password");

            assertThat(unknown.statusCode()).isEqualTo(403);
            assertThat(json(unknown).get("message").asText()).isEqualTo("Invalid username or password");
            assertThat(locked.statusCode()).as("the right password does not open a locked account").isEqualTo(403);
            assertThat(locked.body()).isEqualTo(unknown.body());
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500))
                    .until(() -> jsonLogin(c, "admin", "admin-password").statusCode() == 200);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void whitelistIsReadOnChangeAndSparesAdmins(Kind kind, TestDatabases.Factory db) throws Exception {
        Path list = dir.resolve("whitelist-" + kind + ".txt");
        Files.writeString(list, "# users\nJulia\nnot a name\n");
        try (RunningHub hub = RunningHub.start(db.create(kind),
                h -> h.withWhitelist(true, list).withAccounts(true, h.lockout()))) {
            HubClient c = hub.client;
            c.signupAndToken("admin", "admin-password");
            signup(c, "julia");
            signup(c, "kim");

            assertThat(jsonLogin(c, "julia", "password-julia").statusCode()).isEqualTo(200);
            assertThat(jsonLogin(c, "kim", "password-kim").statusCode()).isEqualTo(403);
            assertThat(jsonLogin(c, "admin", "admin-password").statusCode())
                    .as("an admin missing from the list may still log in")
                    .isEqualTo(200);

            Files.writeString(list, "kim\n");
            Files.setLastModifiedTime(list, java.nio.file.attribute.FileTime.fromMillis(
                    System.currentTimeMillis() + 5000));

            assertThat(jsonLogin(c, "kim", "password-kim").statusCode()).isEqualTo(200);
            assertThat(jsonLogin(c, "julia", "password-julia").statusCode()).isEqualTo(403);
        }
    }

    private static void signup(HubClient c, String name) {
        HttpResponse<String> response = c.send("POST", "/hub/signup", "{\"username\":\"" + name
                + "\",\"password\":\"password-" + name + "\"}", "Content-Type", "application/json");
        assertThat(response.statusCode()).isEqualTo(201);
    }

    private static HttpResponse<String> login(HubClient c, String name, String password, String next) {
        return c.send("POST", "/hub/login?next=" + java.net.URLEncoder.encode(next,
                java.nio.charset.StandardCharsets.UTF_8), "username=" + name + "&password=" + password,
                "Content-Type", FORM);
    }

    private static HttpResponse<String> jsonLogin(HubClient c, String name, String password) {
        return c.send("POST", "/hub/login", "{\"username\":\"" + name + "\",\"password\":\"" + password + "\"}",
                "Content-Type", "application/json");
    }

    static Optional<String> cookie(HttpResponse<String> response, String name) {
        return response.headers().allValues("Set-Cookie").stream().filter(v -> v.startsWith(name + "=")).findFirst();
    }

    static String value(String setCookie) {
        return setCookie.substring(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));
    }

    @Test
    void cookiesAreSecureWhenTlsIsOn(TestDatabases.Factory db) throws Exception {
        HubConfig config = ConfigLoader.load(null, Map.of("SSL_ENABLED", "true", "DATA_FOLDER", dir.toString()))
                .withDatabase(db.create(Kind.H2));
        try (RunningHub hub = RunningHub.startWith(config)) {
            hub.client.signupAndToken("admin", "admin-password");

            HttpResponse<String> login = login(hub.client, "admin", "admin-password", "/hub/home");

            assertThat(cookie(login, Cookies.SESSION).orElseThrow()).contains("; Secure").contains("HttpOnly");
            assertThat(cookie(login, Cookies.XSRF).orElseThrow()).contains("; Secure");
        }
    }
}
