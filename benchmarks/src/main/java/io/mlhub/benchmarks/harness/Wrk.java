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
        List<String> command = new ArrayList<>(List.of("wrk", "-t1", "-c" + connections, "-d" + duration.toSeconds() + "s",
                "--latency", "--timeout", "5s"));
        if (newConnectionPerRequest) {
            command.addAll(List.of("-H", "Connection: close"));
        }
        command.add(url.toString());

        // wrk stops by itself after the duration. The margin covers start-up and slow connection closing.
        String output = Commands.run(command, Duration.ofSeconds(duration.toSeconds() + 30));
        return WrkResult.parse(output);
    }
}
