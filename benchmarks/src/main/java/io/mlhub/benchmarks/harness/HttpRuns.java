package io.mlhub.benchmarks.harness;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP and websocket echo measures: wrk runs with small and 64 KiB bodies, plain and TLS, keep-alive and a
 * new connection per request, and a websocket echo loop. Servers take turns within each repeat, in an order
 * that rotates from one repeat to the next, so that drift of the machine spreads over all of them.
 */
final class HttpRuns {
    private static final Logger logger = LoggerFactory.getLogger(HttpRuns.class);

    static final List<String> PLAIN = List.of("direct", "nginx", "haproxy", "chp", "mlhub");
    static final List<String> TLS = List.of("nginx-tls", "haproxy-tls", "chp-tls", "sslh+nginx-tls", "mlhub-tls");
    private static final int WEBSOCKET_CONNECTIONS = 50;

    /** One wrk set-up and the measures it feeds. */
    record Scenario(String id, String label, List<String> servers, int connections, String path,
            boolean newConnectionPerRequest, boolean latency, boolean cpu, boolean megabytes) {}

    static final List<Scenario> SCENARIOS = List.of(
            new Scenario("small-50", "100 B body, 50 connections, plain", PLAIN, 50, "/small", false, true, true, false),
            new Scenario("small-400", "100 B body, 400 connections, plain", PLAIN, 400, "/small", false, true, false, false),
            new Scenario("newconn-50", "100 B body, new connection per request, 50 connections, plain", PLAIN, 50,
                    "/small", true, true, false, false),
            new Scenario("large-50", "64 KiB body, 50 connections, plain", PLAIN, 50, "/large", false, false, false, true),
            new Scenario("small-50-tls", "100 B body, 50 connections, TLS", TLS, 50, "/small", false, true, true, false),
            new Scenario("small-400-tls", "100 B body, 400 connections, TLS", TLS, 400, "/small", false, true, false, false),
            new Scenario("large-50-tls", "64 KiB body, 50 connections, TLS", TLS, 50, "/large", false, false, false, true));

    private final Stack stack;
    private final Report report;

    HttpRuns(Stack stack, Report report) {
        this.stack = stack;
        this.report = report;
    }

    /** Declares the measures and product goals of this group. */
    static void declare(Report report, boolean http, boolean websocket) {
        for (Scenario s : http ? SCENARIOS : List.<Scenario>of()) {
            boolean tls = s.servers() == TLS;
            String nginx = tls ? "nginx-tls" : "nginx";
            String chp = tls ? "chp-tls" : "chp";
            String direct = tls ? null : "direct";
            if (s.megabytes()) {
                report.declare(new Measure(s.id(), "throughput, " + s.label(), "MiB/s", true, nginx, chp, direct));
            } else {
                report.declare(new Measure(s.id(), "requests, " + s.label(), "req/s", true, nginx, chp, direct));
            }
            if (s.latency()) {
                report.declare(new Measure(s.id() + "-p50", "p50 latency, " + s.label(), "ms", false, nginx, chp, direct));
                report.declare(new Measure(s.id() + "-p99", "p99 latency, " + s.label(), "ms", false, nginx, chp, direct));
            }
            if (s.cpu()) {
                report.declare(new Measure(s.id() + "-cpu", "server CPU time per request, " + s.label(), "µs", false,
                        nginx, chp, direct));
            }
        }
        if (websocket) {
            report.declare(new Measure("ws-echo", "websocket echo, 64 B frames, 50 connections, plain", "round trips/s",
                    true, "nginx", "chp", "direct"));
        }

        report.goal(Goal.ratio("small-50", "mlhub", "nginx", 1, "≥ nginx req/s"));
        report.goal(new Goal("small-50-p99", "mlhub", "direct", "small-50-p99", 1, 1, "p99 ≤ direct + 1 ms"));
        for (String id : List.of("small-50-tls", "small-400-tls")) {
            report.goal(Goal.ratio(id, "mlhub-tls", "nginx-tls", 1, "≥ nginx-tls req/s"));
            report.goal(Goal.ratio(id + "-p99", "mlhub-tls", "nginx-tls", 1, "p99 ≤ nginx-tls"));
        }
        report.goal(Goal.ratio("large-50", "mlhub", "nginx", 1, "≥ nginx MiB/s"));
        report.goal(Goal.ratio("large-50-tls", "mlhub-tls", "nginx-tls", 1, "≥ nginx-tls MiB/s"));
        if (websocket) {
            report.goal(Goal.ratio("ws-echo", "mlhub", "nginx", 1, "≥ nginx round trips/s"));
        }
    }

    /** Rates of two warm-up rounds in a row within this fraction of each other count as steady. */
    private static final double STEADY_SPREAD = 0.10;
    private static final Duration WARM_UP_ROUND = Duration.ofSeconds(2);
    private static final int MIN_WARM_UP_ROUNDS = 3;

    /**
     * Warms every running server before anything counts: small and 64 KiB bodies with {@code http}, and websocket
     * echo on the plain servers when {@code websockets} is given. Each load repeats in 2-second rounds, at least
     * three and at most {@code maxRounds}, until two rounds in a row agree within 10%. A compiled server is steady after the
     * first rounds. A JVM pinned to one core compiles each code path on first heavy use: the product needed about
     * 10 s of TLS load to reach its steady rate on a 2-core test machine.
     */
    void warmUp(int maxRounds, boolean http, @Nullable WebSocketLoad websockets) throws InterruptedException {
        for (Endpoint endpoint : stack.endpoints()) {
            if (!endpoint.isRunning()) {
                continue;
            }
            try {
                warmUntilSteady(endpoint.name(), "/small", maxRounds,
                        () -> Wrk.run(endpoint.base().resolve("/small"), 50, WARM_UP_ROUND, false).requestsPerSecond());
                if (http) {
                    warmUntilSteady(endpoint.name(), "/large", maxRounds, () ->
                            Wrk.run(endpoint.base().resolve("/large"), 50, WARM_UP_ROUND, false).requestsPerSecond());
                }
                if (websockets != null && PLAIN.contains(endpoint.name())) {
                    URI uri = URI.create("ws://127.0.0.1:" + endpoint.base().getPort() + "/ws");
                    warmUntilSteady(endpoint.name(), "/ws", maxRounds,
                            () -> websockets.echoRoundTripsPerSecond(uri, WEBSOCKET_CONNECTIONS, WARM_UP_ROUND));
                }
            } catch (Exception e) {
                if (e instanceof InterruptedException interrupted) {
                    throw interrupted;
                }
                logger.warn("warm-up failed server={} error={}", endpoint.name(), e.getMessage());
            }
        }
    }

    /** One warm-up round; returns its rate. */
    @FunctionalInterface
    interface WarmUpRound {
        double run() throws Exception;
    }

    /** Runs {@code round} until two rounds in a row agree within 10%, at least three and at most {@code maxRounds}. */
    static void warmUntilSteady(String server, String path, int maxRounds, WarmUpRound round) throws Exception {
        double previous = round.run();
        int rounds = 1;
        while (rounds < maxRounds) {
            double rate = round.run();
            rounds++;
            // A round or two of a warming JVM can agree by chance, so at least three rounds run.
            boolean steady = rounds >= MIN_WARM_UP_ROUNDS
                    && Math.abs(rate - previous) <= STEADY_SPREAD * Math.max(rate, previous);
            previous = rate;
            if (steady) {
                break;
            }
        }
        logger.info("warm-up server={} path={} rounds={} lastRate={}", server, path, rounds,
                Math.round(previous));
    }

    /** Runs every scenario once on every server, starting the rotation at {@code repeat}. */
    void runRepeat(int repeat, Duration duration, boolean http, WebSocketLoad websockets) throws InterruptedException {
        for (Scenario scenario : http ? SCENARIOS : List.<Scenario>of()) {
            for (String server : rotated(scenario.servers(), repeat)) {
                runScenario(scenario, stack.endpoint(server), duration);
            }
        }
        if (websockets != null) {
            for (String server : rotated(PLAIN, repeat)) {
                runEcho(stack.endpoint(server), duration, websockets);
            }
        }
    }

    private void runScenario(Scenario scenario, Endpoint endpoint, Duration duration) throws InterruptedException {
        if (!endpoint.isRunning()) {
            noteEverywhere(scenario, endpoint.name(), endpoint.notRunReason());
            return;
        }
        try {
            long ticksBefore = endpoint.cpuTicks();
            WrkResult result = Wrk.run(endpoint.base().resolve(scenario.path()), scenario.connections(), duration,
                    scenario.newConnectionPerRequest());
            long ticks = endpoint.cpuTicks() - ticksBefore;
            if (result.requests() == 0) {
                throw new java.io.IOException("no request completed in " + duration.toSeconds() + " s ("
                        + result.socketErrors() + " socket errors)");
            }

            record(scenario, endpoint.name(), result, ticks);
            logger.info("run scenario={} server={} reqPerSec={} p99Ms={} errors={} non2xx={}", scenario.id(),
                    endpoint.name(), Math.round(result.requestsPerSecond()), result.p99Micros() / 1000,
                    result.socketErrors(), result.non2xx3xx());
        } catch (java.io.IOException | RuntimeException e) {
            logger.warn("run failed scenario={} server={} error={}", scenario.id(), endpoint.name(), e.getMessage());
            noteEverywhere(scenario, endpoint.name(), "failed: " + firstLine(e));
        }
    }

    private void record(Scenario scenario, String server, WrkResult result, long ticks) {
        if (scenario.megabytes()) {
            report.add(scenario.id(), server, result.bytesPerSecond() / (1024 * 1024));
        } else {
            report.add(scenario.id(), server, result.requestsPerSecond());
        }
        if (scenario.latency()) {
            report.add(scenario.id() + "-p50", server, result.p50Micros() / 1000);
            report.add(scenario.id() + "-p99", server, result.p99Micros() / 1000);
        }
        if (scenario.cpu() && result.requests() > 0) {
            report.add(scenario.id() + "-cpu", server, ticks * (1e6 / ProcStat.TICKS_PER_SECOND) / result.requests());
        }
        long errors = result.socketErrors() + result.non2xx3xx();
        if (errors > result.requests() / 1000) {
            report.note(scenario.id(), server, "wrk reported " + result.socketErrors() + " socket errors and "
                    + result.non2xx3xx() + " non-2xx/3xx responses in one run");
        }
    }

    private void runEcho(Endpoint endpoint, Duration duration, WebSocketLoad websockets) throws InterruptedException {
        if (!endpoint.isRunning()) {
            report.note("ws-echo", endpoint.name(), endpoint.notRunReason());
            return;
        }
        try {
            URI uri = URI.create("ws://127.0.0.1:" + endpoint.base().getPort() + "/ws");
            double rate = websockets.echoRoundTripsPerSecond(uri, WEBSOCKET_CONNECTIONS, duration);
            report.add("ws-echo", endpoint.name(), rate);
            logger.info("run scenario=ws-echo server={} roundTripsPerSec={}", endpoint.name(), Math.round(rate));
        } catch (Exception e) {
            if (e instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            logger.warn("run failed scenario=ws-echo server={} error={}", endpoint.name(), e.getMessage());
            report.note("ws-echo", endpoint.name(), "failed: " + firstLine(e));
        }
    }

    private void noteEverywhere(Scenario scenario, String server, String text) {
        report.note(scenario.id(), server, text);
        if (scenario.latency()) {
            report.note(scenario.id() + "-p50", server, text);
            report.note(scenario.id() + "-p99", server, text);
        }
        if (scenario.cpu()) {
            report.note(scenario.id() + "-cpu", server, text);
        }
    }

    static List<String> rotated(List<String> servers, int repeat) {
        List<String> order = new ArrayList<>(servers);
        Collections.rotate(order, -(repeat % order.size()));
        return order;
    }

    static String firstLine(Throwable e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        return message.lines().findFirst().orElse(e.toString());
    }
}
