package io.mlhub.hub.api;

import static io.mlhub.hub.testing.HubClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlhub.hub.SshInfo;
import io.mlhub.hub.config.WorkspaceLimits;
import io.mlhub.hub.spawn.WorkspaceRef;
import io.mlhub.hub.spawn.WorkspaceSpec;
import io.mlhub.hub.ssh.HubSshDirectory;
import io.mlhub.hub.testing.HubClient;
import io.mlhub.hub.testing.RunningHub;
import io.mlhub.hub.testing.TestDatabases;
import io.mlhub.hub.testing.TestDatabases.Kind;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Options validation and storage, SSH addresses and key updates, and the SSH directory, over real HTTP on H2 and
 * PostgreSQL.
 */
@Tag("slow")
@ExtendWith(TestDatabases.class)
class HubGlueApiTest {
    static final String HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
    static final String USER_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB1Kiy2m7HRh2s8iUwmLz6wQ0q3P/zjy9Q0Q0aL0zKSp alice@laptop";

    private static UnaryOperator<io.mlhub.hub.config.HubConfig> images() {
        return c -> c.withWorkspaces(List.of("img-a:1", "img-b:2"), new WorkspaceLimits(4, 8, 0, 30, 1), null, null);
    }

    /** Signs up {@code name}, has the admin authorize the account and returns a token of theirs. */
    static String authorizedUser(HubClient c, String adminToken, String name) {
        c.send("POST", "/hub/signup", "{\"username\":\"" + name + "\",\"password\":\"" + name + "-password\"}",
                "Content-Type", "application/json");
        c.patch("/hub/api/users/" + name, adminToken, "{\"authorized\":true}");
        return c.passwordToken(name, name + "-password");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void badOptionNamesTheFieldAndStartsNothing(Kind kind, TestDatabases.Factory db) throws Exception {
        try (RunningHub hub = RunningHub.start(db.create(kind), images())) {
            HubClient c = hub.client;
            String admin = c.signupAndToken("admin", "admin-password");

            HttpResponse<String> tooMuch = c.post("/hub/api/users/admin/server", admin, "{\"mem_limit\":\"64G\"}");
            HttpResponse<String> unknown = c.post("/hub/api/users/admin/server", admin, "{\"cpus\":2}");
            HttpResponse<String> badImage = c.post("/hub/api/users/admin/server", admin, "{\"image\":\"evil\"}");
            JsonNode user = json(c.get("/hub/api/users/admin?include_stopped_servers=true", admin));

            assertThat(tooMuch.statusCode()).isEqualTo(400);
            assertThat(json(tooMuch).get("field").asText()).isEqualTo("mem_limit");
            assertThat(json(tooMuch).get("message").asText()).contains("mem_limit");
            assertThat(json(unknown).get("field").asText()).isEqualTo("cpus");
            assertThat(json(badImage).get("field").asText()).isEqualTo("image");
            assertThat(user.get("servers").size()).as("no server record was written").isZero();
            assertThat(hub.routes.size()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void storedOptionsAreReappliedOnRestart(Kind kind, TestDatabases.Factory db) throws Exception {
        try (RunningHub hub = RunningHub.start(db.create(kind), images())) {
            HubClient c = hub.client;
            String admin = c.signupAndToken("admin", "admin-password");
            WorkspaceRef ref = new WorkspaceRef("mlhub", "admin", "lab");

            HttpResponse<String> start = c.post("/hub/api/users/admin/servers/lab", admin,
                    "{\"image\":\"img-b:2\",\"cpu_limit\":2,\"mem_limit\":\"2G\",\"days_to_live\":3,"
                            + "\"env\":{\"TZ\":\"UTC\"}}");
            JsonNode first = json(c.get("/hub/api/users/admin", admin)).get("servers").get("lab");
            c.delete("/hub/api/users/admin/servers/lab", admin, null);
            HttpResponse<String> restart = c.post("/hub/api/users/admin/servers/lab", admin, null);
            WorkspaceSpec spec = hub.spawner.spec(ref).orElseThrow();
            JsonNode second = json(c.get("/hub/api/users/admin", admin)).get("servers").get("lab");

            assertThat(start.statusCode()).as(start.body()).isEqualTo(201);
            assertThat(restart.statusCode()).as(restart.body()).isEqualTo(201);
            assertThat(first.get("user_options").get("mem_limit").asLong()).isEqualTo(2L << 30);
            assertThat(first.get("expires_at").isNull()).isFalse();
            assertThat(spec.options().image()).isEqualTo("img-b:2");
            assertThat(spec.options().cpuLimit()).isEqualTo(2.0);
            assertThat(spec.options().memoryLimitBytes()).isEqualTo(2L << 30);
            assertThat(spec.options().environment()).containsEntry("TZ", "UTC");
            assertThat(spec.options().daysToLive()).isEqualTo(3);
            assertThat(second.get("expires_at").asText()).as("a restart keeps the first expiry")
                    .isEqualTo(first.get("expires_at").asText());
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void sshAddressIsRecordedAndKeysReachRunningWorkspaces(Kind kind, TestDatabases.Factory db) throws Exception {
        try (RunningHub hub = RunningHub.start(db.create(kind), UnaryOperator.identity(),
                b -> b.sshInfo(SshInfo.of("hub.example.org", 443, List.of(HOST_KEY), "root")))) {
            HubClient c = hub.client;
            String admin = c.signupAndToken("admin", "admin-password");
            String alice = authorizedUser(c, admin, "alice");
            String bob = authorizedUser(c, admin, "bob");
            hub.spawner.sshAddress(new InetSocketAddress("127.0.0.1", 2222));
            c.post("/hub/api/users/alice/servers/lab", alice, "{}");
            HubSshDirectory directory = hub.server.sshDirectory();

            HttpResponse<String> added = c.post("/hub/api/users/alice/ssh-keys", alice,
                    "{\"key\":\"" + USER_KEY + "\"}");
            String fingerprint = json(added).get("fingerprint").asText();
            List<String> pushed = hub.spawner.sshKeyUpdate(new WorkspaceRef("mlhub", "alice", "lab")).orElseThrow();
            HttpResponse<String> badKey = c.post("/hub/api/users/alice/ssh-keys", alice, "{\"key\":\"ssh-rsa nope\"}");
            HubSshDirectory.Resolution own = directory.sshAddress("alice", "alice", "lab");
            HubSshDirectory.Resolution byTarget = directory.resolveTarget("alice", "lab.alice");
            HubSshDirectory.Resolution asAdmin = directory.sshAddress("admin", "alice", "lab");
            HubSshDirectory.Resolution other = directory.sshAddress("bob", "alice", "lab");
            HubSshDirectory.Resolution stopped = directory.sshAddress("alice", "alice", "");
            List<HubSshDirectory.SshWorkspace> adminView = directory.runningWorkspaces("admin");
            List<HubSshDirectory.SshWorkspace> bobView = directory.runningWorkspaces("bob");
            JsonNode access = json(c.get("/hub/api/users/alice/servers/lab/ssh-access", alice));
            HttpResponse<String> accessByOther = c.get("/hub/api/users/alice/servers/lab/ssh-access", bob);
            HttpResponse<String> defaultNeverStarted = c.get("/hub/api/users/alice/server/ssh-access", alice);
            JsonNode accessByAdmin = json(c.get("/hub/api/users/alice/servers/lab/ssh-access", admin));
            c.delete("/hub/api/users/alice/servers/lab", alice, null);
            HubSshDirectory.Resolution afterStop = directory.sshAddress("alice", "alice", "lab");

            assertThat(added.statusCode()).isEqualTo(201);
            assertThat(pushed).hasSize(1);
            assertThat(pushed.getFirst()).startsWith("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB1K");
            assertThat(badKey.statusCode()).isEqualTo(400);
            assertThat(json(badKey).get("field").asText()).isEqualTo("key");
            assertThat(directory.userForKeyFingerprint(fingerprint)).contains("alice");
            assertThat(directory.userForKeyFingerprint(fingerprint.substring("SHA256:".length()))).contains("alice");
            assertThat(directory.userForKeyFingerprint("SHA256:unknown")).isEmpty();
            assertThat(own).isEqualTo(new HubSshDirectory.Reachable(new InetSocketAddress("127.0.0.1", 2222)));
            assertThat(byTarget).isEqualTo(own);
            assertThat(asAdmin).isEqualTo(own);
            assertThat(other).isInstanceOfSatisfying(HubSshDirectory.Refused.class,
                    r -> assertThat(r.reason()).isEqualTo(HubSshDirectory.Refusal.NOT_ALLOWED));
            assertThat(stopped).isInstanceOfSatisfying(HubSshDirectory.Refused.class,
                    r -> assertThat(r.reason()).isEqualTo(HubSshDirectory.Refusal.UNKNOWN));
            assertThat(adminView).extracting(HubSshDirectory.SshWorkspace::target).containsExactly("lab.alice");
            assertThat(bobView).isEmpty();
            assertThat(access.get("target").asText()).isEqualTo("lab.alice");
            assertThat(access.get("running").asBoolean()).isTrue();
            assertThat(access.get("sshConfig").asText()).contains("HostName lab.alice")
                    .contains("ProxyJump alice@hub.example.org:443").contains("IdentityFile ~/.ssh/mlhub_ed25519");
            assertThat(accessByAdmin.get("sshConfig").asText())
                    .as("an admin hands out the owner's block")
                    .contains("ProxyJump alice@hub.example.org:443");
            assertThat(access.get("knownHosts").asText()).isEqualTo("[hub.example.org]:443 " + HOST_KEY);
            assertThat(access.get("setupCommand").asText()).contains(">> ~/.ssh/config")
                    .doesNotContain("PRIVATE");
            assertThat(accessByOther.statusCode()).isEqualTo(403);
            assertThat(defaultNeverStarted.statusCode()).isEqualTo(404);
            assertThat(json(defaultNeverStarted).get("message").asText())
                    .isEqualTo("alice has not started the default server yet; start it once to get SSH access");
            assertThat(afterStop).isInstanceOfSatisfying(HubSshDirectory.Refused.class,
                    r -> assertThat(r.reason()).isEqualTo(HubSshDirectory.Refusal.NOT_RUNNING));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void adminListFiltersPendingSignupsAndSorts(Kind kind, TestDatabases.Factory db) throws Exception {
        try (RunningHub hub = RunningHub.start(db.create(kind), UnaryOperator.identity())) {
            HubClient c = hub.client;
            String admin = c.signupAndToken("admin", "admin-password");
            for (String name : List.of("carl", "anna", "bert")) {
                c.send("POST", "/hub/signup", "{\"username\":\"" + name + "\",\"password\":\"" + name
                        + "-password\"}", "Content-Type", "application/json");
            }
            c.patch("/hub/api/users/bert", admin, "{\"authorized\":true}");

            JsonNode pending = json(c.send("GET", "/hub/api/users?authorized=false&sort=name", null,
                    "Authorization", "token " + admin, "Accept", "application/jupyterhub-pagination+json"));
            JsonNode byNameDesc = json(c.get("/hub/api/users?sort=-name", admin));
            HttpResponse<String> badSort = c.get("/hub/api/users?sort=age", admin);
            HttpResponse<String> badNames = c.post("/hub/api/users", admin, "{\"usernames\":[\"ok\",\"b d\"]}");
            HttpResponse<String> badExpiry = c.post("/hub/api/users/admin/tokens", admin, "{\"expires_in\":-1}");

            assertThat(pending.get("items")).extracting(u -> u.get("name").asText()).containsExactly("anna", "carl");
            assertThat(pending.get("_pagination").get("total").asInt()).isEqualTo(2);
            assertThat(byNameDesc).extracting(u -> u.get("name").asText())
                    .containsExactly("carl", "bert", "anna", "admin");
            assertThat(badSort.statusCode()).isEqualTo(400);
            assertThat(json(badNames).get("field").asText()).isEqualTo("usernames");
            assertThat(json(badExpiry).get("field").asText()).isEqualTo("expires_in");
        }
    }
}
