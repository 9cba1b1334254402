package io.mlhub.hub.spawn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AuthorizedKeysTest {
    private static final String ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx0ZXN0a2V5dGVzdGtleXRlc3RrZXk alice@laptop";
    private static final String RSA = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7= ";

    @Test
    void keysAreWrittenOnePerLine() throws Exception {
        String file = AuthorizedKeys.render(List.of(ED25519, RSA));

        assertThat(file.lines().filter(line -> !line.startsWith("#")))
                .containsExactly(ED25519, RSA.strip());
        assertThat(file).endsWith("\n");
    }

    @Test
    void noKeysGiveAFileWithoutKeys() throws Exception {
        assertThat(AuthorizedKeys.render(List.of()).lines()).allMatch(line -> line.startsWith("#"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "command=\"/bin/sh\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA",
        "ssh-ed25519 AAAA\nssh-ed25519 BBBB",
        "ssh-ed25519 AAAA comment\rcommand=x",
        "ssh-dss AAAAB3NzaC1kc3M=",
        "ssh-ed25519",
        "not a key",
        ""})
    void invalidKeyIsRejected(String key) {
        assertThatThrownBy(() -> AuthorizedKeys.render(List.of(ED25519, key)))
                .isInstanceOf(SpawnException.class)
                .hasMessageStartingWith("SSH public key 2 is invalid");
    }
}
