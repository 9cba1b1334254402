package io.mlhub.hub.api;

import static io.mlhub.hub.testing.HubClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlhub.hub.auth.HubIdentity;
import io.mlhub.hub.testing.HubClient;
import io.mlhub.hub.testing.RunningHub;
import io.mlhub.hub.testing.TestDatabases;
import io.mlhub.hub.testing.TestDatabases.Kind;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Tokens, scopes and the proxy's credential resolver over real HTTP, on H2 and PostgreSQL. */
@Tag("slow")
@ExtendWith(TestDatabases.class)
class TokenApiTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Kind.class)
    void tokensAreCreatedListedReadAndRevoked(Kind kind, TestDatabases.Factory db) throws Exception {
        try (RunningHub hub = RunningHub.start(db.create(kind), UnaryOperator.identity())) {
            HubClient c = hub.client;
            String admin = c.signupAndToken("admin", "admin-password");

            HttpResponse<String> created = c.post("/hub/api/users/admin/tokens", admin,
                    "{\"note\":\"for ci\",\"expires_in\":3600}");
            JsonNode token = json(created);
            String secret = token.get("token").asText();
            String id = token.get("id").asText();
            HttpResponse<String> list = c.get("/hub/api/users/admin/tokens", admin);
            HttpResponse<String> one = c.get("/hub/api/users/admin/tokens/" + id, secret);
            HttpResponse<String> missing = c.get("/hub/api/users/admin/tokens/a999999", admin);
            HttpResponse<String> revoke = c.delete("/hub/api/users/admin/tokens/" + id, admin, null);
            HttpResponse<String> afterRevoke = c.get("/hub/api/user", secret);

            assertThat(created.statusCode()).isEqualTo(201);
            assertThat(secret).matches("[0-9a-f]{32}");
            assertThat(token.get("note").asText()).isEqualTo("for ci");
            assertThat(token.get("expires_at").isNull()).isFalse();
            assertThat(token.get("kind").asText()).isEqualTo("api_token");
            assertThat(json(list).get("api_tokens").findValuesAsText("id")).contains(id);
            assertThat(json(list).toString()).doesNotContain(secret);
            assertThat(json(one).get("note").asText()).isEqualTo("for ci");
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(revoke.statusCode()).isEqualTo(204);
            assertThat(afterRevoke.statusCode()).isEqualTo(403);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void expiredTokenIsRejected(Kind kind, TestDatabases.Factory db) throws Exception {
        try (RunningHub hub = RunningHub.start(db.create(kind), UnaryOperator.identity())) {
            HubClient c = hub.client;
            String admin = c.signupAndToken("admin", "admin-password");
            String shortLived = json(c.post("/hub/api/users/admin/tokens", admin, "{\"expires_in\":1}"))
                    .get("token").asText();

            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(300))
                    .until(() -> c.get("/hub/api/user", shortLived).statusCode() == 403);

            assertThat(hub.server.credentials().resolveToken(shortLived)).isNull();
            assertThat(c.post("/hub/api/users/admin/tokens", admin, "{\"expires_in\":\"soon\"}").statusCode())
                    .isEqualTo(400);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void tokenScopesLimitWhatItMayDo(Kind kind, TestDatabases.Factory db) throws Exception {
        try (RunningHub hub = RunningHub.start(db.create(kind), h -> h.withAccounts(true, h.lockout()))) {
            HubClient c = hub.client;
            String admin = c.signupAndToken("admin", "admin-password");
            String lea = c.signupAndToken("lea", "lea-password");

            HttpResponse<String> readOnly = c.post("/hub/api/users/lea/tokens", lea,
                    "{\"scopes\":[\"read:users!user\"]}");
            String readToken = json(readOnly).get("token").asText();
            HttpResponse<String> escalate = c.post("/hub/api/users/lea/tokens", lea, "{\"scopes\":[\"admin:users\"]}");
            HttpResponse<String> unknown = c.post("/hub/api/users/lea/tokens", lea, "{\"scopes\":[\"fly\"]}");
            HttpResponse<String> self = c.get("/hub/api/user", readToken);
            HttpResponse<String> spawn = c.post("/hub/api/users/lea/server", readToken, "{}");
            HttpResponse<String> forOther = c.post("/hub/api/users/lea/tokens", admin, "{\"note\":\"x\"}");

            assertThat(readOnly.statusCode()).isEqualTo(201);
            assertThat(json(readOnly).get("scopes").toString()).contains("read:users!user=lea")
                    .doesNotContain("servers");
            assertThat(escalate.statusCode()).isEqualTo(403);
            assertThat(unknown.statusCode()).isEqualTo(400);
            assertThat(self.statusCode()).isEqualTo(200);
            assertThat(json(self).get("scopes").toString()).contains("read:users:name!user=lea");
            assertThat(spawn.statusCode()).isEqualTo(403);
            assertThat(forOther.statusCode()).as("an admin may create tokens for others").isEqualTo(201);
            assertThat(json(forOther).get("note").asText()).isEqualTo("x by user admin");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void losingAdminRightsShrinksTokensAndTellsListeners(Kind kind, TestDatabases.Factory db) throws Exception {
        try (RunningHub hub = RunningHub.start(db.create(kind), UnaryOperator.identity())) {
            HubClient c = hub.client;
            String admin = c.signupAndToken("admin", "admin-password");
            c.post("/hub/api/users", admin, "{\"usernames\":[\"max\"],\"admin\":true}");
            String max = json(c.post("/hub/api/users/max/tokens", admin, "{}")).get("token").asText();
            List<String> invalidated = new CopyOnWriteArrayList<>();
            hub.server.credentials().addListener(invalidated::add);
            HubIdentity before = hub.server.credentials().resolveToken(max);

            HttpResponse<String> demote = c.patch("/hub/api/users/max", admin, "{\"admin\":false}");
            HubIdentity after = hub.server.credentials().resolveToken(max);

            assertThat(before.admin()).isTrue();
            assertThat(demote.statusCode()).isEqualTo(200);
            assertThat(invalidated).containsExactly("max");
            assertThat(after.admin()).isFalse();
            assertThat(after.user()).isEqualTo("max");
            assertThat(c.get("/hub/api/users", max).statusCode()).isEqualTo(403);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void sshKeysAreValidatedStoredAndUnique(Kind kind, TestDatabases.Factory db) throws Exception {
        Path keyFile = dir.resolve("key-" + kind);
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "nina@laptop", "-f", keyFile.toString());
        String key = Files.readString(Path.of(keyFile + ".pub")).strip();
        String fingerprint = run("ssh-keygen", "-l", "-f", keyFile + ".pub").split(" ")[1];
        try (RunningHub hub = RunningHub.start(db.create(kind), h -> h.withAccounts(true, h.lockout()))) {
            HubClient c = hub.client;
            String admin = c.signupAndToken("admin", "admin-password");
            String nina = c.signupAndToken("nina", "nina-password");
            c.signupAndToken("otto", "otto-password");

            HttpResponse<String> added = c.post("/hub/api/users/nina/ssh-keys", nina, "{\"key\":\"" + key + "\"}");
            HttpResponse<String> again = c.post("/hub/api/users/admin/ssh-keys", admin, "{\"key\":\"" + key + "\"}");
            HttpResponse<String> garbage = c.post("/hub/api/users/nina/ssh-keys", nina,
                    "{\"key\":\"ssh-ed25519 bm90IGEga2V5\"}");
            HttpResponse<String> wrongType = c.post("/hub/api/users/nina/ssh-keys", nina,
                    "{\"key\":\"ssh-dss AAAAB3NzaC1kc3M=\"}");
            HttpResponse<String> others = c.get("/hub/api/users/otto/ssh-keys", nina);
            HttpResponse<String> list = c.get("/hub/api/users/nina/ssh-keys", nina);
            String id = json(added).get("id").asText();
            HttpResponse<String> deleted = c.delete("/hub/api/users/nina/ssh-keys/" + id, nina, null);
            HttpResponse<String> deletedAgain = c.delete("/hub/api/users/nina/ssh-keys/" + id, nina, null);

            assertThat(added.statusCode()).isEqualTo(201);
            assertThat(json(added).get("fingerprint").asText())
                    .as("the same fingerprint as ssh-keygen -l")
                    .isEqualTo(fingerprint);
            assertThat(json(added).get("comment").asText()).isEqualTo("nina@laptop");
            assertThat(again.statusCode()).isEqualTo(409);
            assertThat(garbage.statusCode()).isEqualTo(400);
            assertThat(json(garbage).get("message").asText()).startsWith("key:");
            assertThat(wrongType.statusCode()).isEqualTo(400);
            assertThat(others.statusCode()).isEqualTo(403);
            assertThat(json(list).size()).isEqualTo(1);
            assertThat(deleted.statusCode()).isEqualTo(204);
            assertThat(deletedAgain.statusCode()).isEqualTo(404);
        }
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor()).as(output).isZero();
        return output;
    }
}
