package io.mlhub.benchmarks.harness;

import static java.util.Objects.requireNonNull;

/**
 * A product target: the product's median on a measure compared with {@code factor} times a reference
 * server's median (at least that much for throughput, at most that much for latency, memory and time).
 *
 * @param measureId the measure
 * @param server the product's row the goal applies to
 * @param reference server whose median is the yardstick (may be the product itself on another measure)
 * @param referenceMeasureId measure of the reference median, usually {@code measureId}
 * @param factor multiplier on the reference median (0 for a fixed bound of {@code offset})
 * @param offset amount added to the scaled reference median, in the measure's unit (0 for a pure ratio)
 * @param text the goal as the table states it
 */
record Goal(String measureId, String server, String reference, String referenceMeasureId, double factor, double offset,
        String text) {
    Goal {
        requireNonNull(measureId, "measureId");
        requireNonNull(server, "server");
        requireNonNull(reference, "reference");
        requireNonNull(referenceMeasureId, "referenceMeasureId");
        requireNonNull(text, "text");
        if (!(factor >= 0)) {
            throw new IllegalArgumentException("factor: " + factor + " (expected: >= 0)");
        }
    }

    /** Creates a goal against {@code factor} times the reference server's median on the same measure. */
    static Goal ratio(String measureId, String server, String reference, double factor, String text) {
        return new Goal(measureId, server, reference, measureId, factor, 0, text);
    }

    /** Creates a goal of at most {@code limit} on the server's own median, such as no failures. */
    static Goal atMost(String measureId, String server, double limit, String text) {
        return new Goal(measureId, server, server, measureId, 0, limit, text);
    }

    /** Returns whether {@code value} meets the goal against {@code referenceValue}. */
    boolean isMet(double value, double referenceValue, boolean higherIsBetter) {
        double bound = factor * referenceValue + offset;
        return higherIsBetter ? value >= bound : value <= bound;
    }
}
