package io.mlhub.hub.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlhub.hub.config.DatabaseSettings;
import io.mlhub.hub.store.TokenStore.NewToken;
import io.mlhub.hub.store.UserStore.StateFilter;
import io.mlhub.hub.testing.TestDatabases;
import io.mlhub.hub.testing.TestDatabases.Kind;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Tag("slow")
@ExtendWith(TestDatabases.class)
class StoreTest {

    @ParameterizedTest
    @EnumSource(Kind.class)
    void usersAreCreatedFoundAndUnique(Kind kind, TestDatabases.Factory factory) {
        try (Database db = Database.open(factory.create(kind))) {
            HubStore store = HubStore.over(db);

            UserRecord alice = store.users().create("alice", true, true, "hash");

            assertThat(store.users().find("alice")).contains(alice);
            assertThat(store.users().findById(alice.id()).orElseThrow().isAdmin()).isTrue();
            assertThatThrownBy(() -> store.users().create("alice", false, false, null))
                    .isInstanceOf(DuplicateException.class)
                    .hasMessageContaining("alice");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void timesSurviveRoundTripInUtcWithMicroseconds(Kind kind, TestDatabases.Factory factory) {
        try (Database db = Database.open(factory.create(kind))) {
            HubStore store = HubStore.over(db);
            UserRecord bob = store.users().create("bob", false, true, null);
            Instant at = Instant.parse("2026-12-04T15:06:33.543012Z");

            store.users().touch(bob.id(), at);
            store.users().touch(bob.id(), at.minusSeconds(60));

            assertThat(store.users().find("bob").orElseThrow().lastActivity())
                    .as("an older time must not move last_activity back")
                    .isEqualTo(at);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void userListFiltersByStateNameAndPage(Kind kind, TestDatabases.Factory factory) {
        try (Database db = Database.open(factory.create(kind))) {
            HubStore store = HubStore.over(db);
            UserRecord a = store.users().create("ann", false, true, null);
            UserRecord b = store.users().create("ben_x", false, true, null);
            store.users().create("carl", false, true, null);
            ServerRecord spawning = store.servers().markSpawning(a.id(), "", "{}", null);
            ServerRecord other = store.servers().markSpawning(b.id(), "nb", "{}", null);
            store.servers().markRunning(other.id(), "e1", "http://127.0.0.1:1", Instant.now());

            assertThat(names(store.users().list(StateFilter.ACTIVE, null, 0, 10))).containsExactly("ann", "ben_x");
            assertThat(names(store.users().list(StateFilter.READY, null, 0, 10))).containsExactly("ben_x");
            assertThat(names(store.users().list(StateFilter.INACTIVE, null, 0, 10))).containsExactly("carl");
            assertThat(names(store.users().list(StateFilter.ANY, "N_", 0, 10)))
                    .as("the name filter is a case-insensitive substring; _ is literal")
                    .containsExactly("ben_x");
            assertThat(names(store.users().list(StateFilter.ANY, null, 1, 1))).containsExactly("ben_x");
            assertThat(store.users().count(StateFilter.ANY, null)).isEqualTo(3);
            assertThat(spawning.state()).isEqualTo(ServerState.SPAWNING);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void serverLifecycleKeepsOptionsAndClearsTarget(Kind kind, TestDatabases.Factory factory) {
        try (Database db = Database.open(factory.create(kind))) {
            HubStore store = HubStore.over(db);
            UserRecord u = store.users().create("dora", false, true, null);

            ServerRecord s = store.servers().markSpawning(u.id(), "lab", "{\"image\":\"x\"}", null);
            store.servers().markRunning(s.id(), "engine-1", "http://127.0.0.1:9", Instant.now());
            ServerRecord running = store.servers().find(u.id(), "lab").orElseThrow();
            store.servers().setState(s.id(), ServerState.STOPPED);
            ServerRecord stopped = store.servers().find(u.id(), "lab").orElseThrow();

            assertThat(running.state()).isEqualTo(ServerState.RUNNING);
            assertThat(running.target()).isEqualTo("http://127.0.0.1:9");
            assertThat(stopped.target()).isNull();
            assertThat(stopped.userOptions()).isEqualTo("{\"image\":\"x\"}");
            assertThat(store.servers().countNamed(u.id())).isEqualTo(1);
            assertThat(store.servers().markSpawning(u.id(), "lab", "{}", null).id())
                    .as("a restart reuses the record")
                    .isEqualTo(s.id());
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void deletingUserOrSessionCascades(Kind kind, TestDatabases.Factory factory) {
        try (Database db = Database.open(factory.create(kind))) {
            HubStore store = HubStore.over(db);
            UserRecord u = store.users().create("eve", false, true, null);
            TokenRecord session = store.tokens().insert(new NewToken(u.id(), TokenKind.SESSION, "a".repeat(64),
                    "aaaa", "inherit", "", null, null, null, null));
            TokenRecord oauth = store.tokens().insert(new NewToken(u.id(), TokenKind.OAUTH, "b".repeat(64), "bbbb",
                    "read:users:name!user", "", session.id(), "client", null, null));
            TokenRecord api = store.tokens().insert(new NewToken(u.id(), TokenKind.API, "c".repeat(64), "cccc",
                    "inherit", "note", null, null, null, Instant.now().plusSeconds(60)));
            store.sshKeys().add(u.id(), "ssh-ed25519", "ssh-ed25519 AAAA", "", "SHA256:x");

            store.tokens().delete(session.id());

            assertThat(store.tokens().findByHash(oauth.tokenHash())).as("logout ends OAuth tokens").isEmpty();
            assertThat(store.tokens().listTokens(u.id())).extracting(TokenRecord::id).containsExactly(api.id());

            store.users().delete(u.id());

            assertThat(store.tokens().findByHash(api.tokenHash())).isEmpty();
            assertThat(store.sshKeys().findByFingerprint("SHA256:x")).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void expiredTokensArePurged(Kind kind, TestDatabases.Factory factory) {
        try (Database db = Database.open(factory.create(kind))) {
            HubStore store = HubStore.over(db);
            UserRecord u = store.users().create("fay", false, true, null);
            Instant now = Instant.now();
            TokenRecord old = store.tokens().insert(new NewToken(u.id(), TokenKind.API, "d".repeat(64), "dddd",
                    "inherit", "", null, null, null, now.minusSeconds(1)));

            assertThat(old.expiredAt(now)).isTrue();
            assertThat(store.tokens().purgeExpired(now)).isEqualTo(1);
            assertThat(store.tokens().findByHash(old.tokenHash())).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void sshKeyBelongsToOneUserOnly(Kind kind, TestDatabases.Factory factory) {
        try (Database db = Database.open(factory.create(kind))) {
            HubStore store = HubStore.over(db);
            UserRecord a = store.users().create("gus", false, true, null);
            UserRecord b = store.users().create("hal", false, true, null);
            SshKeyRecord key = store.sshKeys().add(a.id(), "ssh-ed25519", "ssh-ed25519 AAAA", "laptop", "SHA256:k");

            assertThatThrownBy(() -> store.sshKeys().add(b.id(), "ssh-ed25519", "ssh-ed25519 AAAA", "", "SHA256:k"))
                    .isInstanceOf(DuplicateException.class);
            assertThat(store.sshKeys().delete(b.id(), "SHA256:k")).as("another user's key stays").isFalse();
            assertThat(store.sshKeys().delete(a.id(), Long.toString(key.id()))).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void oauthCodeWorksOnce(Kind kind, TestDatabases.Factory factory) {
        try (Database db = Database.open(factory.create(kind))) {
            HubStore store = HubStore.over(db);
            UserRecord u = store.users().create("ida", false, true, null);
            Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
            store.oauth().putClient(new OAuthClientRecord("jupyterhub-user-ida", "s".repeat(64),
                    "/user/ida/oauth_callback", "Server at /user/ida/", u.id(), "", now));
            store.oauth().putClient(new OAuthClientRecord("jupyterhub-user-ida", "t".repeat(64),
                    "/user/ida/oauth_callback", "Server at /user/ida/", u.id(), "", now));
            store.oauth().insertCode(new OAuthCodeRecord("c".repeat(64), "jupyterhub-user-ida", u.id(), null,
                    "a b", "/user/ida/oauth_callback", now.plusSeconds(300)));

            assertThat(store.oauth().findClient("jupyterhub-user-ida").orElseThrow().secretHash())
                    .isEqualTo("t".repeat(64));
            assertThat(store.oauth().takeCode("c".repeat(64))).isPresent();
            assertThat(store.oauth().takeCode("c".repeat(64))).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void reopeningKeepsDataAndSchema(Kind kind, TestDatabases.Factory factory) {
        DatabaseSettings settings = factory.create(kind);
        try (Database db = Database.open(settings)) {
            HubStore.over(db).users().create("jo", false, true, null);
            HubStore.over(db).audit().record("jo", "user.create", "jo", "");
        }

        try (Database db = Database.open(settings)) {
            HubStore store = HubStore.over(db);

            assertThat(store.users().find("jo")).isPresent();
            assertThat(store.audit().latest(5)).extracting(AuditRecord::action).containsExactly("user.create");
        }
    }

    private static List<String> names(List<UserRecord> users) {
        return users.stream().map(UserRecord::name).toList();
    }
}
