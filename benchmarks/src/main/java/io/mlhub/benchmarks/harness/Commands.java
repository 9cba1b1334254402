package io.mlhub.benchmarks.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs short external commands (wrk, ssh, openssl) with a time limit. */
final class Commands {
    private Commands() {}

    /**
     * Runs {@code command} to completion and returns its combined output. A command still running after
     * {@code timeout} is killed by PID.
     *
     * @throws IOException if the command cannot start, times out or exits with a non-zero status (the
     *     message carries the last lines of its output)
     */
    static String run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        Path output = Files.createTempFile("mlhub-bench-", ".out");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                throw new IOException(command.get(0) + " timed out after " + timeout.toSeconds() + " s: "
                        + String.join(" ", command));
            }
            String text = Files.readString(output);
            if (process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " exited " + process.exitValue() + ": " + tail(text));
            }
            return text;
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static String tail(String text) {
        List<String> lines = text.strip().lines().toList();
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    }
}
