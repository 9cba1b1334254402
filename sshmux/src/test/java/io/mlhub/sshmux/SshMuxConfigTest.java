package io.mlhub.sshmux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;

class SshMuxConfigTest {

    private final SshMuxConfig.Builder builder = SshMuxConfig.builder(Path.of("/tmp/hub"));

    @Test
    void defaultsAreValid() {
        SshMuxConfig config = builder.build();

        assertThat(config.listenAddress().getAddress().isLoopbackAddress()).isTrue();
        assertThat(config.workspaceSshPort()).isEqualTo(22);
    }

    @Test
    void invalidValuesAreNamedWithExpectation() {
        assertThatThrownBy(() -> builder.publicAddress("hub", 0).build())
                .hasMessage("publicPort: 0 (expected: 1-65535)");
        assertThatThrownBy(() -> SshMuxConfig.builder(Path.of("/tmp")).idleTimeout(Duration.ZERO).build())
                .hasMessage("idleTimeout: PT0S (expected: > 0)");
        assertThatThrownBy(() -> SshMuxConfig.builder(Path.of("/tmp")).jumpHostAlias("my hub").build())
                .hasMessageStartingWith("jumpHostAlias: my hub");
        assertThatThrownBy(() -> SshMuxConfig.builder(Path.of("/tmp")).keepalive(Duration.ofSeconds(1), 0).build())
                .hasMessage("keepaliveCountMax: 0 (expected: >= 1)");
    }
}
