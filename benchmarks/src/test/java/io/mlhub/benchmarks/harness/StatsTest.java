package io.mlhub.benchmarks.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {
    @Test
    void medianOfOddCountIsMiddleSample() {
        Stats stats = Stats.of(List.of(5.0, 1.0, 3.0));

        assertThat(stats.median()).isEqualTo(3.0);
        assertThat(stats.min()).isEqualTo(1.0);
        assertThat(stats.max()).isEqualTo(5.0);
        assertThat(stats.n()).isEqualTo(3);
    }

    @Test
    void evenCountMedianAveragesMiddlePair() {
        assertThat(Stats.of(List.of(4.0, 1.0, 3.0, 2.0)).median()).isEqualTo(2.5);
    }

    @Test
    void quartilesInterpolateLinearly() {
        Stats stats = Stats.of(List.of(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0));

        // Positions 0.25 * 7 = 1.75 and 0.75 * 7 = 5.25 between order statistics.
        assertThat(stats.q1()).isCloseTo(2.75, within(1e-12));
        assertThat(stats.q3()).isCloseTo(6.25, within(1e-12));
    }

    @Test
    void singleSampleIsItsOwnSpread() {
        Stats stats = Stats.of(List.of(7.5));

        assertThat(stats.median()).isEqualTo(7.5);
        assertThat(stats.q1()).isEqualTo(7.5);
        assertThat(stats.q3()).isEqualTo(7.5);
        assertThat(stats.range(v -> String.valueOf(v))).isEqualTo("7.5–7.5");
    }

    @Test
    void failedRunsAreLeftOut() {
        Stats stats = Stats.of(List.of(Double.NaN, 10.0, 20.0));

        assertThat(stats.n()).isEqualTo(2);
        assertThat(stats.median()).isEqualTo(15.0);
    }

    @Test
    void noUsableSampleIsRejected() {
        assertThatThrownBy(() -> Stats.of(List.of(Double.NaN))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Stats.of(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ratioDividesByReference() {
        assertThat(Stats.ratio(30, 20)).isEqualTo(1.5);
    }

    @Test
    void ratioWithoutReferenceIsNaN() {
        assertThat(Stats.ratio(30, 0)).isNaN();
        assertThat(Stats.ratio(Double.NaN, 20)).isNaN();
        assertThat(Stats.ratio(30, Double.NaN)).isNaN();
    }

    @Test
    void quantileRejectsOutOfRangeQ() {
        assertThatThrownBy(() -> Stats.quantile(new double[] {1}, 1.5)).isInstanceOf(IllegalArgumentException.class);
    }
}
