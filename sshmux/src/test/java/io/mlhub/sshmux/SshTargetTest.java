package io.mlhub.sshmux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SshTargetTest {

    @Test
    void userAloneNamesDefaultServer() {
        SshTarget target = SshTarget.parse("alice").orElseThrow();

        assertThat(target.user()).isEqualTo("alice");
        assertThat(target.isDefaultServer()).isTrue();
        assertThat(target.name()).isEqualTo("alice");
    }

    @Test
    void serverDotUserNamesNamedServer() {
        SshTarget target = SshTarget.parse("lab.alice").orElseThrow();

        assertThat(target).isEqualTo(SshTarget.namedServer("alice", "lab"));
        assertThat(target.name()).isEqualTo("lab.alice");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "lab.", ".alice", "a.b.c", "127.0.0.1", "alice bob", "lab.al/ice", "x@y"})
    void malformedNameIsRejected(String name) {
        assertThat(SshTarget.parse(name)).isEmpty();
    }

    @Test
    void invalidPartsAreRejectedWithTheValue() {
        assertThatThrownBy(() -> SshTarget.defaultServer("al.ice"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("user: al.ice");
        assertThatThrownBy(() -> SshTarget.namedServer("alice", ""))
                .hasMessageContaining("server: empty");
    }
}
