package io.mlhub.hub.server;

import io.mlhub.hub.spawn.SpawnException;
import io.mlhub.hub.spawn.Spawner;
import io.mlhub.hub.spawn.WorkspaceRef;
import io.mlhub.hub.spawn.WorkspaceStatus;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Waits until a workspace responds over HTTP under its prefix: any status below 500 counts, as in JupyterHub. Between
 * attempts it queries the spawner whether the workspace still runs, so one that exits fails at once with its exit code
 * and last log lines instead of after the timeout.
 */
final class ReadinessProbe {
    private static final int LOG_LINES = 10;

    void awaitReady(Spawner spawner, WorkspaceRef ref, URI target, String prefix, Duration timeout)
            throws SpawnException, InterruptedException {
        URI url = URI.create(stripSlash(target.toString()) + prefix);
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 50;
        while (System.nanoTime() < deadline) {
            if (answers(url)) {
                return;
            }
            failIfExited(spawner, ref);
            Thread.sleep(pause);
            pause = Math.min(1000, pause * 2);
        }
        throw new SpawnException("the server did not respond at " + url + " within " + timeout.toSeconds() + " s");
    }

    private boolean answers(URI url) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5)).GET().build();
        try {
            return Lazy.CLIENT.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() < 500;
        } catch (IOException e) {
            return false;
        }
    }

    private static void failIfExited(Spawner spawner, WorkspaceRef ref) throws SpawnException {
        Optional<WorkspaceStatus> status = spawner.status(ref);
        if (status.isEmpty()) {
            throw new SpawnException("the workspace vanished from the engine while starting");
        }
        if (!status.get().running()) {
            List<String> lines = status.get().lastLogLines();
            List<String> tail = lines.subList(Math.max(0, lines.size() - LOG_LINES), lines.size());
            Integer exitCode = status.get().exitCode();
            String killed = exitCode != null && exitCode == 137
                    ? " (killed by SIGKILL, as the kernel does when a workspace goes over its memory limit)" : "";
            throw new SpawnException("the workspace exited with code " + exitCode + killed
                    + (tail.isEmpty() ? "" : "; last log lines:\n" + String.join("\n", tail)));
        }
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** The shared client, built at first use because building one sets up TLS, slow at start-up. */
    private static final class Lazy {
        static final HttpClient CLIENT = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(2))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }
}
