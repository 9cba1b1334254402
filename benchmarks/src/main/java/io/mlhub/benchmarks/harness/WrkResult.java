package io.mlhub.benchmarks.harness;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The figures the harness reads from the text that {@code wrk --latency} prints (wrk 4.1).
 *
 * @param requests completed requests
 * @param seconds length of the run as wrk measured it
 * @param requestsPerSecond the {@code Requests/sec} line
 * @param bytesPerSecond the {@code Transfer/sec} line, in bytes (wrk's KB/MB/GB are powers of 1024)
 * @param p50Micros median latency in microseconds
 * @param p99Micros 99th percentile latency in microseconds
 * @param socketErrors connect, read, write and timeout errors added up
 * @param non2xx3xx responses with a status outside 2xx and 3xx
 */
record WrkResult(long requests, double seconds, double requestsPerSecond, double bytesPerSecond,
        double p50Micros, double p99Micros, long socketErrors, long non2xx3xx) {

    private static final Pattern TOTAL = Pattern.compile(
            "(\\d+) requests in ([\\d.]+)(us|ms|s|m|h),\\s+([\\d.]+)([KMGT]?B) read");
    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
    private static final Pattern TRANSFER = Pattern.compile("Transfer/sec:\\s+([\\d.]+)([KMGT]?B)");
    private static final Pattern PERCENTILE = Pattern.compile("^\\s*(50|99)(?:\\.000)?%\\s+([\\d.]+)(us|ms|s|m|h)\\s*$",
            Pattern.MULTILINE);
    private static final Pattern SOCKET_ERRORS = Pattern.compile(
            "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");

    /**
     * Parses the output of {@code wrk --latency}.
     *
     * @throws IllegalArgumentException if a required line (totals, requests per second, transfer per second,
     *     50th and 99th percentile) is missing
     */
    static WrkResult parse(String output) {
        Matcher total = find(TOTAL, output, "the '<n> requests in <t>' line");
        Matcher rate = find(RATE, output, "the 'Requests/sec' line");
        Matcher transfer = find(TRANSFER, output, "the 'Transfer/sec' line");

        double p50 = Double.NaN;
        double p99 = Double.NaN;
        Matcher percentile = PERCENTILE.matcher(output);
        while (percentile.find()) {
            double micros = toMicros(Double.parseDouble(percentile.group(2)), percentile.group(3));
            if (percentile.group(1).equals("50")) {
                p50 = micros;
            } else {
                p99 = micros;
            }
        }
        if (Double.isNaN(p50) || Double.isNaN(p99)) {
            throw new IllegalArgumentException("wrk output has no 50% and 99% latency lines (was --latency given?): "
                    + abbreviate(output));
        }

        long socketErrors = 0;
        Matcher errors = SOCKET_ERRORS.matcher(output);
        if (errors.find()) {
            for (int group = 1; group <= 4; group++) {
                socketErrors += Long.parseLong(errors.group(group));
            }
        }
        Matcher non2xx = NON_2XX.matcher(output);
        long bad = non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0;

        return new WrkResult(Long.parseLong(total.group(1)),
                toMicros(Double.parseDouble(total.group(2)), total.group(3)) / 1e6,
                Double.parseDouble(rate.group(1)),
                toBytes(Double.parseDouble(transfer.group(1)), transfer.group(2)),
                p50, p99, socketErrors, bad);
    }

    /** Converts a wrk time with its unit to microseconds. */
    static double toMicros(double value, String unit) {
        return switch (unit) {
            case "us" -> value;
            case "ms" -> value * 1e3;
            case "s" -> value * 1e6;
            case "m" -> value * 60e6;
            case "h" -> value * 3600e6;
            default -> throw new IllegalArgumentException("unit: " + unit + " (expected: us, ms, s, m or h)");
        };
    }

    /** Converts a wrk size with its unit to bytes. wrk's units are binary (1 KB = 1024 B). */
    static double toBytes(double value, String unit) {
        return switch (unit.toUpperCase(Locale.ROOT)) {
            case "B" -> value;
            case "KB" -> value * 1024;
            case "MB" -> value * 1024 * 1024;
            case "GB" -> value * 1024 * 1024 * 1024;
            case "TB" -> value * 1024.0 * 1024 * 1024 * 1024;
            default -> throw new IllegalArgumentException("unit: " + unit + " (expected: B, KB, MB, GB or TB)");
        };
    }

    private static Matcher find(Pattern pattern, String output, String description) {
        Matcher matcher = pattern.matcher(output);
        if (!matcher.find()) {
            throw new IllegalArgumentException("wrk output has no " + description + ": " + abbreviate(output));
        }
        return matcher;
    }

    private static String abbreviate(String output) {
        String flat = output.strip().replace('\n', '|');
        return flat.length() <= 300 ? flat : flat.substring(0, 300) + "...";
    }
}
