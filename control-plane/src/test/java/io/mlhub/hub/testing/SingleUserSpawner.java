package io.mlhub.hub.testing;

import io.mlhub.hub.spawn.EngineCapabilities;
import io.mlhub.hub.spawn.SpawnException;
import io.mlhub.hub.spawn.SpawnProgress;
import io.mlhub.hub.spawn.Spawner;
import io.mlhub.hub.spawn.StartedWorkspace;
import io.mlhub.hub.spawn.WorkspaceRef;
import io.mlhub.hub.spawn.WorkspaceSpec;
import io.mlhub.hub.spawn.WorkspaceStatus;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A test-only spawner that runs Debian's {@code jupyterhub-singleuser} as a child process, the way a process
 * spawner would: the hub's environment, the service URL on a free loopback port, and a scratch home folder.
 */
public final class SingleUserSpawner implements Spawner {
    private static final String PROGRAM = "/usr/bin/jupyterhub-singleuser";

    private final Path workDir;
    private final Map<WorkspaceRef, Process> processes = new ConcurrentHashMap<>();
    private final Map<WorkspaceRef, Path> logs = new ConcurrentHashMap<>();

    public SingleUserSpawner(Path workDir) {
        this.workDir = workDir;
    }

    @Override
    public String engine() {
        return "test-process";
    }

    @Override
    public EngineCapabilities capabilities() {
        return new EngineCapabilities(false, false, true, true, true);
    }

    @Override
    public StartedWorkspace start(WorkspaceSpec spec, SpawnProgress progress) throws SpawnException {
        try {
            int port = freePort();
            Path home = Files.createDirectories(workDir.resolve(spec.ref().user() + "-" + spec.ref().server()));
            Path log = home.resolve("singleuser.log");
            ProcessBuilder builder = new ProcessBuilder(PROGRAM, "--allow-root")
                    .directory(home.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            Map<String, String> env = builder.environment();
            env.keySet().removeIf(key -> key.startsWith("JUPYTER"));
            env.putAll(spec.environment());
            env.put("HOME", home.toString());
            env.put("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:" + port + spec.baseUrl());
            env.put("JUPYTERHUB_SINGLEUSER_APP", "notebook.notebookapp.NotebookApp");
            progress.report(30, "Starting jupyterhub-singleuser");
            Process process = builder.start();
            processes.put(spec.ref(), process);
            logs.put(spec.ref(), log);
            return new StartedWorkspace(Long.toString(process.pid()), URI.create("http://127.0.0.1:" + port), null);
        } catch (IOException e) {
            throw new SpawnException("cannot start " + PROGRAM + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void stop(WorkspaceRef ref) {
        Process process = processes.remove(ref);
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    @Override
    public void delete(WorkspaceRef ref, boolean removeVolume) {
        stop(ref);
    }

    @Override
    public Optional<WorkspaceStatus> status(WorkspaceRef ref) {
        Process process = processes.get(ref);
        if (process == null) {
            return Optional.empty();
        }
        boolean alive = process.isAlive();
        return Optional.of(new WorkspaceStatus(ref, Long.toString(process.pid()), alive,
                alive ? null : process.exitValue(), null, null, null, logLines(ref)));
    }

    @Override
    public List<WorkspaceStatus> list() {
        return processes.keySet().stream().map(ref -> status(ref).orElseThrow()).toList();
    }

    /** Returns what the workspace wrote so far, for failure messages. */
    public List<String> logLines(WorkspaceRef ref) {
        try {
            Path log = logs.get(ref);
            return log == null ? List.of() : Files.readAllLines(log);
        } catch (IOException e) {
            return List.of("cannot read log: " + e);
        }
    }

    /** Stops every process still running. */
    public void stopAll() {
        processes.keySet().forEach(this::stop);
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
