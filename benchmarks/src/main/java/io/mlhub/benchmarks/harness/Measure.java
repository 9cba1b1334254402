package io.mlhub.benchmarks.harness;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * One quantity the harness measures on several servers, with the servers its ratios are taken against.
 *
 * @param id short key, e.g. {@code small-50}
 * @param label what is measured, as the table shows it
 * @param unit unit of the numbers, e.g. {@code req/s}
 * @param higherIsBetter whether a bigger number is better (throughput) or worse (latency, memory, CPU)
 * @param nginx server whose median the "vs nginx" column divides by, or {@code null} for none
 * @param chp server for the "vs CHP" column, or {@code null}
 * @param direct server for the "vs direct" column, or {@code null}
 */
record Measure(String id, String label, String unit, boolean higherIsBetter,
        @Nullable String nginx, @Nullable String chp, @Nullable String direct) {
    Measure {
        requireNonNull(id, "id");
        requireNonNull(label, "label");
        requireNonNull(unit, "unit");
    }
}
