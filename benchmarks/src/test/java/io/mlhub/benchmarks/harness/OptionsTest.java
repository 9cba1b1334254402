package io.mlhub.benchmarks.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class OptionsTest {
    private static final Path ROOT = Path.of("/repo");

    @Test
    void defaultsToThreeRepeatsOfFourSeconds() {
        Options options = Options.parse(List.of(), ROOT);

        assertThat(options.repeats()).isEqualTo(3);
        assertThat(options.duration()).isEqualTo(Duration.ofSeconds(4));
        assertThat(options.groups()).containsExactlyInAnyOrderElementsOf(Options.GROUPS);
        assertThat(options.productJar()).isEqualTo(Path.of("/repo/appliance-image/target/mlhub.jar"));
        assertThat(options.results()).isEqualTo(Path.of("/repo/benchmarks/results"));
    }

    @Test
    void quickRunsOnceForThreeSeconds() {
        Options options = Options.parse(List.of("--quick"), ROOT);

        assertThat(options.repeats()).isEqualTo(1);
        assertThat(options.duration()).isEqualTo(Duration.ofSeconds(3));
        assertThat(options.hubUsers()).isEqualTo(10_000);
        assertThat(options.spawns()).isEqualTo(5);
    }

    @Test
    void anchorsOnlyLabelsTheRun() {
        Options options = Options.parse(List.of("--anchors-only", "--only", "http,ssh"), ROOT);

        assertThat(options.anchorsOnly()).isTrue();
        assertThat(options.label()).isEqualTo("anchors only");
        assertThat(options.groups()).containsExactlyInAnyOrder("http", "ssh");
    }

    @Test
    void explicitValuesOverrideQuick() {
        Options options = Options.parse(List.of("--quick", "--repeats", "2", "--duration", "10"), ROOT);

        assertThat(options.repeats()).isEqualTo(2);
        assertThat(options.duration()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void badInputIsRejectedWithReason() {
        assertThatThrownBy(() -> Options.parse(List.of("--repeats", "0"), ROOT)).hasMessageContaining("--repeats: 0");
        assertThatThrownBy(() -> Options.parse(List.of("--duration"), ROOT)).hasMessageContaining("missing value");
        assertThatThrownBy(() -> Options.parse(List.of("--only", "http,dns"), ROOT)).hasMessageContaining("dns");
        assertThatThrownBy(() -> Options.parse(List.of("--fast"), ROOT)).hasMessageContaining("unknown option");
    }
}
