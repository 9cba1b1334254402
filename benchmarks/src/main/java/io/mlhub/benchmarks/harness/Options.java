package io.mlhub.benchmarks.harness;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Settings of one side-by-side run, from the command line.
 *
 * @param quick one repeat of each measure with short runs (about five minutes in all)
 * @param repeats how often each measure runs on each server, interleaved
 * @param duration length of each load run
 * @param groups measure groups to run: http, websocket, idle, routes, ssh, hub, spawn
 * @param results folder the Markdown result file goes to
 * @param productJar the product's {@code mlhub.jar}
 * @param productJava the {@code java} binary that runs the product (JDK 21 or newer)
 * @param chp the configurable-http-proxy 5.x executable
 * @param label words added to the result file's title, e.g. "anchors only"
 * @param anchorsOnly leave the product out and mark its rows as left out
 * @param command the command line as the user typed it, for the result file
 */
record Options(boolean quick, int repeats, Duration duration, Set<String> groups, Path results, Path productJar,
        Path productJava, Path chp, String label, boolean anchorsOnly, String command) {
    static final List<String> GROUPS = List.of("http", "websocket", "idle", "routes", "ssh", "hub", "spawn");

    Options {
        if (repeats < 1) {
            throw new IllegalArgumentException("repeats: " + repeats + " (expected: >= 1)");
        }
        requireNonNull(duration, "duration");
        groups = Set.copyOf(groups);
        for (String group : groups) {
            if (!GROUPS.contains(group)) {
                throw new IllegalArgumentException("group: " + group + " (expected: one of " + GROUPS + ")");
            }
        }
        requireNonNull(results, "results");
        requireNonNull(productJar, "productJar");
        requireNonNull(productJava, "productJava");
        requireNonNull(chp, "chp");
        requireNonNull(label, "label");
        requireNonNull(command, "command");
    }

    /** Number of users the hub measures create; quick runs too, because the hub targets are stated at 10,000. */
    int hubUsers() {
        return 10_000;
    }

    /** Number of single spawns, each paired with a container start alone, in the spawn measures. */
    int spawns() {
        return quick ? 5 : 10;
    }

    /** Number of routes for the large route table. */
    int manyRoutes() {
        return 100_000;
    }

    /** Size of the SSH copy in bytes. */
    long sshCopyBytes() {
        return 1L << 30;
    }

    static final String USAGE = """
            usage: run-side-by-side [--quick] [--repeats N] [--duration SECONDS] [--only GROUP,...] [--label TEXT]
                                    [--anchors-only] [--results DIR] [--product-jar FILE] [--product-java FILE] [--chp FILE]
              --quick         one repeat of each measure with 3-second runs
              --repeats N     runs of each measure on each server, interleaved (default 3)
              --duration S    seconds per load run (default 4, quick 3)
              --only GROUPS   comma-separated subset of: http, websocket, idle, routes, ssh, hub, spawn (default all)
              --label TEXT    words added to the title of the result file
              --anchors-only  run the anchors without the product
            """;

    /** Parses the harness arguments, throwing IllegalArgumentException with a one-line reason on bad input. */
    static Options parse(List<String> args, Path repositoryRoot) {
        boolean quick = false;
        Integer repeats = null;
        Integer seconds = null;
        Set<String> groups = new LinkedHashSet<>(GROUPS);
        Path results = repositoryRoot.resolve("benchmarks/results");
        Path productJar = repositoryRoot.resolve("appliance-image/target/mlhub.jar");
        Path productJava = Path.of(System.getProperty("java.home"), "bin", "java");
        Path chp = Path.of(System.getProperty("user.home"), ".cache/mlhub-benchmarks/chp/bin/configurable-http-proxy");
        String label = "";
        boolean anchorsOnly = false;

        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--quick" -> quick = true;
                case "--repeats" -> repeats = positive(arg, value(args, ++i, arg));
                case "--duration" -> seconds = positive(arg, value(args, ++i, arg));
                case "--only" -> groups = new LinkedHashSet<>(List.of(value(args, ++i, arg).split(",")));
                case "--results" -> results = Path.of(value(args, ++i, arg));
                case "--product-jar" -> productJar = Path.of(value(args, ++i, arg));
                case "--product-java" -> productJava = Path.of(value(args, ++i, arg));
                case "--chp" -> chp = Path.of(value(args, ++i, arg));
                case "--label" -> label = value(args, ++i, arg);
                case "--anchors-only" -> anchorsOnly = true;
                default -> throw new IllegalArgumentException("unknown option: " + arg);
            }
        }

        int runs = quick ? 1 : 3;
        if (repeats != null) {
            runs = repeats;
        }
        int runSeconds = quick ? 3 : 4;
        if (seconds != null) {
            runSeconds = seconds;
        }
        Duration duration = Duration.ofSeconds(runSeconds);
        if (anchorsOnly && label.isBlank()) {
            label = "anchors only";
        }
        return new Options(quick, runs, duration, groups, results, productJar, productJava, chp, label, anchorsOnly,
                System.getProperty("mlhub.command", "SideBySide " + String.join(" ", args)));
    }

    private static String value(List<String> args, int index, String option) {
        if (index >= args.size()) {
            throw new IllegalArgumentException(option + ": missing value");
        }
        return args.get(index);
    }

    private static int positive(String option, String text) {
        try {
            int value = Integer.parseInt(text);
            if (value >= 1) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + ": " + text + " (expected: a whole number >= 1)");
    }
}
