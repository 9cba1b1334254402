package io.mlhub.hub.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ScopesTest {

    @Test
    void userRoleCoversOnlyOwnResources() {
        Scopes alice = Scopes.ofUser("alice", false);

        assertThat(alice.allows("servers", "alice", "lab")).isTrue();
        assertThat(alice.allows("access:servers", "alice", "")).isTrue();
        assertThat(alice.allows("servers", "bob", null)).isFalse();
        assertThat(alice.holdsAny("list:users")).isFalse();
        assertThat(alice.allows("admin:users", "alice", null)).isFalse();
    }

    @Test
    void adminRoleExpandsParentScopes() {
        Scopes admin = Scopes.ofUser("root", true);

        assertThat(admin.holdsUnfiltered("list:users")).as("admin:users > users > list:users").isTrue();
        assertThat(admin.holdsUnfiltered("read:users:activity")).isTrue();
        assertThat(admin.holdsUnfiltered("delete:servers")).isTrue();
        assertThat(admin.holdsUnfiltered("read:tokens")).isTrue();
        assertThat(admin.allows("servers", "anyone", "any")).isTrue();
    }

    @Test
    void bareFiltersResolveToTheOwner() {
        Scopes parsed = Scopes.parse(List.of("read:users!user", "access:servers!server"), "alice", "lab");

        assertThat(parsed.sorted()).contains("read:users!user=alice", "read:users:name!user=alice",
                "access:servers!server=alice/lab");
    }

    @Test
    void intersectionKeepsNarrowerFilters() {
        Scopes owner = Scopes.ofUser("alice", false);
        Scopes requested = Scopes.parse(List.of("access:servers!server=alice/lab", "access:servers!user=bob",
                "admin:users"), "alice", null);

        Scopes effective = requested.intersect(owner);

        assertThat(effective.sorted()).contains("access:servers!server=alice/lab");
        assertThat(effective.allows("access:servers", "bob", "")).isFalse();
        assertThat(effective.holdsAny("admin:users")).isFalse();
        assertThat(owner.coversAll(requested)).isFalse();
    }

    @Test
    void unknownScopesAndFiltersAreRejected() {
        assertThatThrownBy(() -> Scopes.parse(List.of("fly"), "alice", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fly");
        assertThatThrownBy(() -> Scopes.parse(List.of("servers!group=x"), "alice", null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Scopes.parse(List.of("servers!user=Bad Name"), "alice", null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void accessTargetsListOtherServers() {
        Scopes scopes = Scopes.parse(List.of("access:servers!user=bob", "access:servers!server=carl/lab"), "alice",
                null);

        assertThat(scopes.filteredTargets("access:servers")).containsExactlyInAnyOrder("bob/*", "carl/lab");
    }
}
