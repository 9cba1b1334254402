package io.mlhub.benchmarks.harness;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.List;

/**
 * Summary of repeated measurements of one quantity: median and spread.
 *
 * @param n number of samples
 * @param median the middle sample, or the mean of the two middle samples for an even count
 * @param min smallest sample
 * @param max largest sample
 * @param q1 first quartile (linear interpolation between order statistics)
 * @param q3 third quartile (linear interpolation between order statistics)
 */
record Stats(int n, double median, double min, double max, double q1, double q3) {
    Stats {
        if (n < 1) {
            throw new IllegalArgumentException("n: " + n + " (expected: >= 1)");
        }
    }

    /** Summarises samples; NaN samples (failed runs) are left out, and at least one sample must remain. */
    static Stats of(List<Double> samples) {
        requireNonNull(samples, "samples");
        double[] sorted = samples.stream().mapToDouble(Double::doubleValue).filter(v -> !Double.isNaN(v)).sorted().toArray();
        if (sorted.length == 0) {
            throw new IllegalArgumentException("samples: " + samples + " (expected: at least one number)");
        }

        return new Stats(sorted.length, quantile(sorted, 0.5), sorted[0], sorted[sorted.length - 1],
                quantile(sorted, 0.25), quantile(sorted, 0.75));
    }

    /** Returns the q-quantile of sorted values by linear interpolation (the R-7 and NumPy default). */
    static double quantile(double[] sorted, double q) {
        if (q < 0 || q > 1) {
            throw new IllegalArgumentException("q: " + q + " (expected: 0 <= q <= 1)");
        }
        if (sorted.length == 0) {
            throw new IllegalArgumentException("sorted: empty (expected: at least one value)");
        }
        double[] copy = sorted.clone();
        Arrays.sort(copy);

        double position = q * (copy.length - 1);
        int lower = (int) Math.floor(position);
        int upper = (int) Math.ceil(position);
        return copy[lower] + (copy[upper] - copy[lower]) * (position - lower);
    }

    /** Returns {@code value / reference}, or NaN when either is missing or the reference is zero. */
    static double ratio(double value, double reference) {
        if (Double.isNaN(value) || Double.isNaN(reference) || reference == 0) {
            return Double.NaN;
        }
        return value / reference;
    }

    /** Returns the spread as {@code min–max} with the given number format, e.g. {@code "41.2k–46.0k"}. */
    String range(java.util.function.DoubleFunction<String> format) {
        return format.apply(min) + "–" + format.apply(max);
    }
}
