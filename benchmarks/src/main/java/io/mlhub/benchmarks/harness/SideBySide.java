package io.mlhub.benchmarks.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The side-by-side load run: starts the backend, the anchors (nginx, HAProxy, configurable-http-proxy, sslh,
 * OpenSSH, JupyterHub, the Docker engine alone) and the product on 127.0.0.1, measures them in turn, stops
 * everything it started and writes one table of medians to {@code benchmarks/results/DATE.md}. Start it with
 * {@code benchmarks/run-side-by-side}, which installs the anchors, pins this JVM to the load generator's core
 * and raises the open-file limit. {@link Options#USAGE} lists the options.
 */
public final class SideBySide {
    private static final Logger logger = LoggerFactory.getLogger(SideBySide.class);

    private SideBySide() {}

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("mlhub.repository", ".")).toAbsolutePath().normalize();
        Options options;
        try {
            options = Options.parse(Arrays.asList(args), root);
        } catch (IllegalArgumentException e) {
            System.err.println("run-side-by-side: " + e.getMessage());
            System.err.print(Options.USAGE);
            System.exit(2);
            return;
        }

        Report report = declare(options);
        ZonedDateTime started = ZonedDateTime.now(ZoneOffset.UTC);
        String loadBefore = ProcStat.loadAverage();
        Path runs = Files.createDirectories(root.resolve("benchmarks/target/side-by-side"));
        Path dir = Files.createTempDirectory(runs, started.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-")));
        logger.info("run folder={} (server logs) repeats={} duration={}s groups={}", dir, options.repeats(),
                options.duration().toSeconds(), options.groups());
        try (Stack stack = new Stack(options, dir)) {
            Runtime.getRuntime().addShutdownHook(new Thread(stack::close));
            run(options, stack, report);
        }

        String load = loadBefore + " at the start, " + ProcStat.loadAverage() + " at the end";
        String markdown = ResultFile.render(options, report, started, ZonedDateTime.now(ZoneOffset.UTC), load);
        Path file = ResultFile.write(options.results(), LocalDate.now(ZoneOffset.UTC), markdown);
        System.out.println(report.table());
        System.out.println("results written to " + file);
    }

    static Report declare(Options options) {
        Report report = new Report();
        if (options.groups().contains("http") || options.groups().contains("websocket")) {
            HttpRuns.declare(report, options.groups().contains("http"), options.groups().contains("websocket"));
        }
        if (options.groups().contains("idle")) {
            IdleRuns.declare(report, Stack.fileLimit());
        }
        if (options.groups().contains("routes")) {
            RouteRuns.declare(report, options.manyRoutes());
        }
        if (options.groups().contains("ssh")) {
            SshRuns.declare(report, options.sshCopyBytes());
        }
        if (options.groups().contains("hub")) {
            HubRuns.declare(report, options.hubUsers());
        }
        if (options.groups().contains("spawn")) {
            SpawnRuns.declare(report);
        }
        return report;
    }

    private static void run(Options options, Stack stack, Report report) throws Exception {
        stack.startHttpServers();
        Duration duration = options.duration();

        // Idle websockets go first and once, while the servers are fresh. A server reuses memory it kept from
        // earlier websockets or load runs (HAProxy's pools, V8's heap), which hides the cost per connection.
        // A second pass on the same processes measured close to zero.
        if (options.groups().contains("idle")) {
            try (WebSocketLoad websockets = new WebSocketLoad()) {
                new IdleRuns(stack, report).runRepeat(0, websockets);
            }
        }
        if (options.groups().contains("http") || options.groups().contains("websocket")) {
            try (WebSocketLoad websockets = new WebSocketLoad()) {
                HttpRuns http = new HttpRuns(stack, report);
                boolean websocket = options.groups().contains("websocket");
                http.warmUp(options.quick() ? 4 : 10, options.groups().contains("http"), websocket ? websockets : null);
                for (int repeat = 0; repeat < options.repeats(); repeat++) {
                    logger.info("http repeat={} of {}", repeat + 1, options.repeats());
                    http.runRepeat(repeat, duration, options.groups().contains("http"),
                            websocket ? websockets : null);
                }
            }
        }
        if (options.groups().contains("routes")) {
            RouteRuns routes = new RouteRuns(stack, report);
            for (int repeat = 0; repeat < options.repeats(); repeat++) {
                routes.runRepeat(repeat, duration, options.manyRoutes());
            }
        }
        if (options.groups().contains("ssh")) {
            SshRuns ssh = new SshRuns(stack, report);
            ssh.start();
            for (int repeat = 0; repeat < options.repeats(); repeat++) {
                ssh.runRepeat(repeat, options.quick() ? 5 : 10, options.sshCopyBytes());
            }
            ssh.runSessions();
        }
        if (options.groups().contains("hub")) {
            new HubRuns(stack, report).run(options.repeats(), options.hubUsers(), options.quick() ? 20 : 50);
        }
        if (options.groups().contains("spawn")) {
            new SpawnRuns(stack, report).run(options.spawns() * options.repeats());
        }
    }
}
