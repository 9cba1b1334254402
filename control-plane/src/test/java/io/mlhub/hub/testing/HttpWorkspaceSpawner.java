package io.mlhub.hub.testing;

import com.sun.net.httpserver.HttpServer;
import io.mlhub.hub.spawn.EngineCapabilities;
import io.mlhub.hub.spawn.SpawnException;
import io.mlhub.hub.spawn.SpawnProgress;
import io.mlhub.hub.spawn.Spawner;
import io.mlhub.hub.spawn.StartedWorkspace;
import io.mlhub.hub.spawn.WorkspaceRef;
import io.mlhub.hub.spawn.WorkspaceSpec;
import io.mlhub.hub.spawn.WorkspaceStatus;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * A test-only spawner whose workspaces are real HTTP servers in this JVM, on 127.0.0.1 and a free port, serving
 * the workspace prefix. Knobs make the next start fail, exit at once or respond late.
 */
public final class HttpWorkspaceSpawner implements Spawner {
    /** What the next start does. */
    public enum Mode { NORMAL, ENGINE_ERROR, EXITS, SLOW }

    private final Map<WorkspaceRef, HttpServer> running = new ConcurrentHashMap<>();
    private final Map<WorkspaceRef, WorkspaceSpec> specs = new ConcurrentHashMap<>();
    private final Map<WorkspaceRef, Integer> exited = new ConcurrentHashMap<>();
    private volatile Mode mode = Mode.NORMAL;
    private volatile Duration slowDelay = Duration.ofSeconds(2);
    private volatile @Nullable InetSocketAddress sshAddress;
    private final Map<WorkspaceRef, List<String>> sshKeyUpdates = new ConcurrentHashMap<>();

    public void mode(Mode next) {
        this.mode = next;
    }

    public void slowDelay(Duration delay) {
        this.slowDelay = delay;
    }

    /** Makes later starts report {@code address} as the workspace's sshd; nothing listens there. */
    public void sshAddress(@Nullable InetSocketAddress address) {
        this.sshAddress = address;
    }

    /** Returns the keys of the latest {@link #updateSshKeys} call for a workspace. */
    public Optional<List<String>> sshKeyUpdate(WorkspaceRef ref) {
        return Optional.ofNullable(sshKeyUpdates.get(ref));
    }

    /** Returns the spec of the latest start of a workspace. */
    public Optional<WorkspaceSpec> spec(WorkspaceRef ref) {
        return Optional.ofNullable(specs.get(ref));
    }

    public boolean isRunning(WorkspaceRef ref) {
        return running.containsKey(ref);
    }

    @Override
    public String engine() {
        return "test-http";
    }

    /**
     * The capabilities this spawner reports: every option but GPUs and volumes unless a test sets others, such as
     * those of the process engine.
     */
    public volatile EngineCapabilities capabilities = new EngineCapabilities(false, false, true, true, true);

    @Override
    public EngineCapabilities capabilities() {
        return capabilities;
    }

    @Override
    public StartedWorkspace start(WorkspaceSpec spec, SpawnProgress progress) throws SpawnException {
        specs.put(spec.ref(), spec);
        progress.report(50, "Starting test workspace");
        switch (mode) {
            case ENGINE_ERROR -> throw new SpawnException("engine rejected the test workspace");
            case EXITS -> {
                exited.put(spec.ref(), 3);
                return new StartedWorkspace("exited-" + spec.ref().user(), URI.create("http://127.0.0.1:9"), null);
            }
            case SLOW, NORMAL -> {
                // below
            }
        }
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            long readyAt = System.nanoTime() + (mode == Mode.SLOW ? slowDelay.toNanos() : 0);
            server.createContext(spec.baseUrl(), exchange -> {
                int status = System.nanoTime() < readyAt ? 503 : 200;
                byte[] body = ("workspace of " + spec.ref().user() + " at " + exchange.getRequestURI())
                        .getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(status, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            exited.remove(spec.ref());
            HttpServer previous = running.put(spec.ref(), server);
            if (previous != null) {
                previous.stop(0);
            }
            int port = server.getAddress().getPort();
            return new StartedWorkspace("test-" + port, URI.create("http://127.0.0.1:" + port), sshAddress);
        } catch (IOException e) {
            throw new SpawnException("cannot bind the test workspace", e);
        }
    }

    @Override
    public void stop(WorkspaceRef ref) {
        HttpServer server = running.remove(ref);
        if (server != null) {
            server.stop(0);
        }
    }

    @Override
    public void delete(WorkspaceRef ref, boolean removeVolume) {
        stop(ref);
        specs.remove(ref);
        exited.remove(ref);
    }

    @Override
    public Optional<WorkspaceStatus> status(WorkspaceRef ref) {
        if (exited.containsKey(ref)) {
            return Optional.of(new WorkspaceStatus(ref, "exited", false, exited.get(ref), null, null, null,
                    List.of("starting", "fatal: test workspace crashed")));
        }
        HttpServer server = running.get(ref);
        if (server == null) {
            return Optional.empty();
        }
        URI target = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        return Optional.of(new WorkspaceStatus(ref, "test", true, null, target, null, null, List.of()));
    }

    @Override
    public List<WorkspaceStatus> list() {
        return running.keySet().stream().map(ref -> status(ref).orElseThrow()).toList();
    }

    @Override
    public void updateSshKeys(WorkspaceRef ref, List<String> sshPublicKeys) throws SpawnException {
        if (!running.containsKey(ref)) {
            throw new SpawnException("no running test workspace for " + ref);
        }
        sshKeyUpdates.put(ref, List.copyOf(sshPublicKeys));
    }

    /** Stops every workspace still running. */
    public void stopAll() {
        running.keySet().forEach(this::stop);
    }
}
