package io.mlhub.benchmarks.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Runs the session counter on local shells, which take the remote command the way ssh does. */
class SshSessionsTest {
    @Test
    void cleanSessionsCountAsGood() throws InterruptedException {
        SshSessions.Result result = SshSessions.run(List.of("sh", "-c"), 30);

        assertThat(result.sessions()).isEqualTo(30);
        assertThat(result.failures()).isZero();
        assertThat(result.firstError()).isEmpty();
    }

    @Test
    void unopenedSessionCountsAsFailed() throws InterruptedException {
        SshSessions.Result result = SshSessions.run(List.of("sh", "-c", "echo connection refused; exit 255"), 5);

        assertThat(result.failures()).isEqualTo(5);
        assertThat(result.firstError()).isEqualTo("connection refused");
    }

    @Test
    void errorExitAfterOpenCountsAsFailed() throws InterruptedException {
        SshSessions.Result result = SshSessions.run(List.of("sh", "-c", "echo open; cat > /dev/null; exit 1"), 4);

        assertThat(result.failures()).isEqualTo(4);
        assertThat(result.firstError()).isEqualTo("ssh exited 1");
    }
}
