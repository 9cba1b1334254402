package io.mlhub.hub.spawn;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits until a started workspace responds over HTTP, and fails fast with its exit code and last log lines
 * when its process exits first. Any HTTP status below 500 counts as ready, because a workspace may respond
 * with a redirect to its login page.
 */
public final class WorkspaceReadiness {
    private static final Logger logger = LoggerFactory.getLogger(WorkspaceReadiness.class);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(200);

    /**
     * Polls {@code url} until it responds with a status below 500, checking between polls that the
     * workspace still runs.
     *
     * @throws SpawnException when the workspace exits or vanishes, or does not respond within {@code timeout}
     */
    public void awaitReady(Spawner spawner, WorkspaceRef ref, URI url, Duration timeout)
            throws SpawnException, InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        String lastProblem = "no response yet";
        while (true) {
            Optional<WorkspaceStatus> status = spawner.status(ref);
            if (status.isEmpty()) {
                throw new SpawnException("workspace " + describe(ref) + " vanished during start");
            }
            if (!status.get().running()) {
                throw new SpawnException(exitMessage(status.get()));
            }

            Optional<String> problem = probe(url);
            if (problem.isEmpty()) {
                return;
            }
            lastProblem = problem.get();
            if (Instant.now().isAfter(deadline)) {
                throw new SpawnException("workspace " + describe(ref) + " did not respond at " + url + " within "
                        + timeout.toSeconds() + " s (last result: " + lastProblem + ")"
                        + formatLines(status.get().lastLogLines()));
            }
            Thread.sleep(POLL_INTERVAL);
        }
    }

    /** Returns empty when {@code url} responded with a status below 500, else what went wrong. */
    private Optional<String> probe(URI url) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(2)).GET().build();
        try {
            int status = Lazy.CLIENT.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            return status < 500 ? Optional.empty() : Optional.of("HTTP " + status);
        } catch (IOException notYet) {
            logger.debug("workspace not responding yet url={} error={}", url, notYet.toString());
            return Optional.of(notYet.getClass().getSimpleName());
        }
    }

    /** Returns the message for a workspace that stopped during start: exit code and last log lines. */
    public static String exitMessage(WorkspaceStatus status) {
        String code = status.exitCode() == null ? "an unknown code" : "code " + status.exitCode();
        return "workspace " + describe(status.ref()) + " exited with " + code + " during start"
                + formatLines(status.lastLogLines());
    }

    private static String describe(WorkspaceRef ref) {
        return ref.server().isEmpty() ? ref.user() : ref.user() + "/" + ref.server();
    }

    private static String formatLines(List<String> lines) {
        return lines.isEmpty() ? "" : "; last log lines:\n" + String.join("\n", lines);
    }

    /** The shared client, built at first use because building one sets up TLS, slow at start-up. */
    private static final class Lazy {
        static final HttpClient CLIENT = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(1))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }
}
