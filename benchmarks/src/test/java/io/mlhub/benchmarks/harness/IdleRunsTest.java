package io.mlhub.benchmarks.harness;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IdleRunsTest {
    @Test
    void openFileLimitCapsWebsocketCount() {
        assertThat(IdleRuns.openable(10_000, 20_000)).isEqualTo(9_000);
        assertThat(IdleRuns.openable(5_000, 20_000)).isEqualTo(5_000);
        assertThat(IdleRuns.openable(10_000, 1_000_000)).isEqualTo(10_000);
        assertThat(IdleRuns.openable(10_000, 1_500)).isZero();
    }

    @Test
    void rotationStartsAtRepeat() {
        assertThat(HttpRuns.rotated(java.util.List.of("a", "b", "c"), 1)).containsExactly("b", "c", "a");
        assertThat(HttpRuns.rotated(java.util.List.of("a", "b", "c"), 3)).containsExactly("a", "b", "c");
    }
}
