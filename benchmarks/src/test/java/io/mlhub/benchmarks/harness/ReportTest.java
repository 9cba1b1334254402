package io.mlhub.benchmarks.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ReportTest {
    private static Report throughputReport() {
        Report report = new Report();
        report.declare(new Measure("rps", "requests", "req/s", true, "nginx", "chp", "direct"));
        report.add("rps", "direct", 300);
        report.add("rps", "nginx", 100);
        report.add("rps", "nginx", 120);
        report.add("rps", "nginx", 110);
        report.add("rps", "chp", 20);
        return report;
    }

    @Test
    void rowShowsMedianSpreadAndRatios() {
        Report report = throughputReport();
        report.add("rps", "mlhub", 220);

        assertThat(report.table()).contains("| requests (req/s) | mlhub | 220 | 220–220 | 1 | 2.00× | 11.00× | 0.73× |  |");
        assertThat(report.table()).contains("| requests (req/s) | nginx | 110 | 100–120 | 3 | 1.00× | 5.50× | 0.37× |  |");
    }

    @Test
    void goalMetAndMissedAreStated() {
        Report report = throughputReport();
        report.goal(Goal.ratio("rps", "mlhub", "nginx", 1, "≥ nginx"));
        report.goal(Goal.ratio("rps", "chp", "nginx", 1, "≥ nginx"));
        report.add("rps", "mlhub", 115);

        assertThat(report.table()).contains("| mlhub | 115 |").contains("met: ≥ nginx");
        assertThat(report.table()).contains("**missed**: ≥ nginx");
    }

    @Test
    void lowerIsBetterGoalUsesUpperBound() {
        Goal goal = Goal.ratio("mem", "mlhub", "nginx", 0.5, "half");

        assertThat(goal.isMet(9, 18, false)).isTrue();
        assertThat(goal.isMet(9.1, 18, false)).isFalse();
    }

    @Test
    void offsetGoalAddsToReference() {
        Goal goal = new Goal("p99", "mlhub", "direct", "p99", 1, 1, "direct + 1 ms");

        assertThat(goal.isMet(2.9, 2, false)).isTrue();
        assertThat(goal.isMet(3.1, 2, false)).isFalse();
    }

    @Test
    void fixedBoundGoalIgnoresTheReference() {
        Report report = new Report();
        report.declare(new Measure("failed", "failed sessions", "sessions", false, null, null, null));
        report.goal(Goal.atMost("failed", "sshmux", 0, "no failed session"));
        report.goal(Goal.atMost("failed", "openssh-jump", 0, "no failed session"));
        report.add("failed", "sshmux", 0);
        report.add("failed", "openssh-jump", 3);

        assertThat(report.table()).contains("| sshmux | 0.00 |").contains("met: no failed session");
        assertThat(report.table()).contains("| openssh-jump | 3.00 |").contains("**missed**: no failed session");
    }

    @Test
    void serverWithoutSamplesShowsItsReason() {
        Report report = throughputReport();
        report.goal(Goal.ratio("rps", "mlhub", "nginx", 1, "≥ nginx"));
        report.note("rps", "mlhub", "product not built");

        assertThat(report.table())
                .contains("| requests (req/s) | mlhub | not run | product not built | 0 |")
                .contains("not measured: ≥ nginx");
    }

    @Test
    void noteBesideSamplesIsShownWithSpread() {
        Report report = throughputReport();
        report.note("rps", "chp", "wrk reported 3 socket errors");

        assertThat(report.table()).contains("| chp | 20.0 | 20.0–20.0 (wrk reported 3 socket errors) |");
    }

    @Test
    void unknownMeasureIsRejected() {
        assertThatThrownBy(() -> new Report().add("nope", "nginx", 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void numbersKeepThreeSignificantDigits() {
        assertThat(Report.format(46123)).isEqualTo("46.1k");
        assertThat(Report.format(2_500_000)).isEqualTo("2.50M");
        assertThat(Report.format(812.4)).isEqualTo("812");
        assertThat(Report.format(17.84)).isEqualTo("17.8");
        assertThat(Report.format(0.4567)).isEqualTo("0.457");
    }
}
