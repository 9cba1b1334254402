package io.mlhub.benchmarks.harness;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Runs wrk once, on the load generator's core (the harness JVM's affinity, which child processes inherit). */
final class Wrk {
    private Wrk() {}

    /**
     * Runs {@code wrk -t1 -cCONNECTIONS -dDURATION --latency} against {@code url}, with {@code Connection:
     * close} on every request when {@code newConnectionPerRequest} is set.
     */
    static WrkResult run(URI url, int connections, Duration duration, boolean newConnectionPerRequest)
            throws IOException, InterruptedException {
        List<String> options = newConnectionPerRequest ? List.of("-H", "Connection: close") : List.of();
        return run(url, connections, duration, options);
    }

    /** Runs wrk with a Lua script that builds each request, e.g. a POST with a new path every time. */
    static WrkResult runScript(URI url, int connections, Duration duration, java.nio.file.Path script)
            throws IOException, InterruptedException {
        return run(url, connections, duration, List.of("-s", script.toString()));
    }

    private static WrkResult run(URI url, int connections, Duration duration, List<String> options)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("wrk", "-t1", "-c" + connections, "-d" + duration.toSeconds() + "s",
                "--latency", "--timeout", "5s"));
        command.addAll(options);
        command.add(url.toString());

        // wrk stops by itself after the duration. The margin covers start-up and slow connection closing.
        String output = Commands.run(command, Duration.ofSeconds(duration.toSeconds() + 30));
        return WrkResult.parse(output);
    }
}
