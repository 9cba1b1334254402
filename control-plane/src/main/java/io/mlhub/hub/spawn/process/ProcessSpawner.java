package io.mlhub.hub.spawn.process;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.mlhub.hub.spawn.AuthorizedKeys;
import io.mlhub.hub.spawn.EngineCapabilities;
import io.mlhub.hub.spawn.SpawnException;
import io.mlhub.hub.spawn.SpawnProgress;
import io.mlhub.hub.spawn.Spawner;
import io.mlhub.hub.spawn.StartedWorkspace;
import io.mlhub.hub.spawn.WorkspaceNames;
import io.mlhub.hub.spawn.WorkspaceRef;
import io.mlhub.hub.spawn.WorkspaceSpec;
import io.mlhub.hub.spawn.WorkspaceEvent;
import io.mlhub.hub.spawn.WorkspaceStatus;
import io.mlhub.hub.spawn.WorkspaceWatch;
import io.mlhub.hub.spawn.process.WorkspaceState.ProcessId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each workspace as a child process of the hub ({@code EXECUTION_MODE=process}), by default
 * {@code jupyterhub-singleuser} on a free loopback port, optionally with its own sshd.
 *
 * <p>Each workspace has a folder {@code <data>/workspaces/<name>/} with {@code state.json} (process ids and
 * ports), {@code workspace.log} (its output), {@code home/} (its working and home folder) and {@code ssh/}
 * (sshd config, host key, authorized keys). Workspaces run in their own session (through {@code setsid}),
 * so a hub that stops or dies leaves them running, and the next hub adopts them from {@code state.json}.
 *
 * <p>CPU and memory limits are enforced with a cgroup per workspace where this machine lets the hub write
 * cgroups (see {@link WorkspaceCgroups}); otherwise the engine reports no resource limits, so the options
 * {@code cpu_limit} and {@code mem_limit} are rejected. The spawner logs at start which applies.
 *
 * <p>NOTE: workspaces run as the hub's own operating-system user, without file or network isolation, so this
 * mode suits a single trusted team or a laptop; use Docker to isolate users.
 */
public final class ProcessSpawner implements Spawner, AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(ProcessSpawner.class);
    private static final Path SETSID = Path.of("/usr/bin/setsid");
    /** The folder below the hub's own cgroup that contains one cgroup per workspace. */
    private static final String CGROUP_FOLDER = "workspaces";
    private static final List<String> INHERITED_ENVIRONMENT = List.of("PATH", "LANG", "LC_ALL", "TZ", "SHELL");

    private final ProcessSpawnerConfig config;
    private final Path workspacesDirectory;
    private final WorkspaceSshd sshd;
    private final WorkspaceCgroups cgroups;
    private final ObjectMapper json = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    /**
     * Processes this hub started, by workspace name; the only ones whose exit codes it can read. An entry
     * stays after its process exits, so that a status read racing the exit record still gets the code.
     */
    private final Map<String, Process> children = new ConcurrentHashMap<>();
    private final ExecutorService exitWatchers = Executors.newVirtualThreadPerTaskExecutor();
    private final List<WorkspaceWatch.Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    public ProcessSpawner(ProcessSpawnerConfig config) {
        this(config, WorkspaceCgroups.detect(CGROUP_FOLDER));
    }

    ProcessSpawner(ProcessSpawnerConfig config, WorkspaceCgroups cgroups) {
        this.config = requireNonNull(config, "config");
        this.workspacesDirectory = config.dataDirectory().resolve("workspaces");
        this.sshd = new WorkspaceSshd(config);
        this.cgroups = requireNonNull(cgroups, "cgroups");
        if (cgroups.enforced()) {
            logger.info("process workspaces get CPU and memory limits engine=process enforcedBy={}",
                    cgroups.description());
        } else {
            logger.warn("process workspaces run without CPU and memory limits, so the options cpu_limit and "
                    + "mem_limit are rejected engine=process cgroups={}", cgroups.description());
        }
    }

    @Override
    public String engine() {
        return "process";
    }

    @Override
    public EngineCapabilities capabilities() {
        return new EngineCapabilities(false, false, cgroups.enforced(), false, false);
    }

    /**
     * Reports the exit of each workspace process this spawner started, through {@link Process#onExit}. The
     * listener's {@code watchConnected} runs once, at once.
     *
     * <p>NOTE: processes adopted from an earlier hub are not children of this one, so their exit is noticed only
     * by the periodic reconcile.
     */
    @Override
    public Optional<WorkspaceWatch> watch(WorkspaceWatch.Listener listener) {
        requireNonNull(listener, "listener");
        listeners.add(listener);
        exitWatchers.execute(listener::watchConnected);
        return Optional.of(() -> listeners.remove(listener));
    }

    @Override
    public StartedWorkspace start(WorkspaceSpec spec, SpawnProgress progress) throws SpawnException {
        String name = WorkspaceNames.container(spec.ref());
        ReentrantLock lock = lock(name);
        lock.lock();
        try {
            Path directory = workspacesDirectory.resolve(name);
            Optional<WorkspaceState> existing = readState(directory);
            if (existing.isPresent() && isRunning(existing.get())) {
                progress.report(100, "workspace already running");
                return started(existing.get());
            }

            try {
                return launch(spec, directory, existing.orElse(null), progress);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new SpawnException("interrupted while starting the workspace", interrupted);
            }
        } finally {
            lock.unlock();
        }
    }

    private StartedWorkspace launch(WorkspaceSpec spec, Path directory, @Nullable WorkspaceState previous,
            SpawnProgress progress) throws SpawnException, InterruptedException {
        String name = directory.getFileName().toString();
        if (previous != null) {
            // A workspace that died on its own may have left its sshd behind.
            Processes.terminate(previous.sshd(), config.stopTimeout());
        }
        // Processes that outlived an earlier run in its cgroup (such as setsid daemons) must not join this one.
        cgroups.remove(name, config.stopTimeout());
        progress.report(10, "preparing the workspace folder");
        Path home = directory.resolve("home");
        createDirectories(home);
        rotateLog(directory);
        prepareCgroup(spec, name);

        int port = Processes.freeLoopbackPort();
        WorkspaceSshd.Started sshdStarted = null;
        Process process;
        try {
            if (config.sshd()) {
                progress.report(30, "starting sshd");
                // The sshd runs in the workspace's cgroup, so SSH sessions, its children, get the same limits.
                sshdStarted = sshd.start(directory.resolve("ssh"), AuthorizedKeys.render(spec.sshPublicKeys()),
                        command -> cgroups.wrap(name, command));
            }

            progress.report(60, "starting the workspace process");
            process = startWorkspaceProcess(spec, directory, home, port);
        } catch (SpawnException | RuntimeException failed) {
            if (sshdStarted != null) {
                Processes.terminate(sshdStarted.process(), config.stopTimeout());
            }
            cgroups.remove(name, config.stopTimeout());
            throw failed;
        }

        WorkspaceState state = new WorkspaceState(spec.ref().hubName(), spec.ref().user(), spec.ref().server(),
                Processes.idOf(process.toHandle()), sshdStarted == null ? null : sshdStarted.process(), port,
                sshdStarted == null ? 0 : sshdStarted.port(), spec.expiresAt(), false, null);
        writeState(directory, state);
        watchExit(directory, process);
        logger.info("workspace started engine=process workspace={} pid={} port={} sshPort={}",
                directory.getFileName(), process.pid(), port, state.sshPort());
        return started(state);
    }

    /**
     * Checks that the command can run before starting it, because {@code setsid} would otherwise start and
     * then only log that the command is missing.
     */
    private static void requireExecutable(String program) throws IOException {
        if (program.contains("/")) {
            if (!Files.isExecutable(Path.of(program))) {
                throw new IOException("no executable file at " + program);
            }
            return;
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String folder : path.split(":")) {
            if (!folder.isEmpty() && Files.isExecutable(Path.of(folder, program))) {
                return;
            }
        }
        throw new IOException(program + " not found on PATH " + path);
    }

    private void prepareCgroup(WorkspaceSpec spec, String name) throws SpawnException {
        try {
            cgroups.prepare(name, spec.options().cpuLimit(), spec.options().memoryLimitBytes());
        } catch (IOException failed) {
            throw new SpawnException("failed to create the cgroup of workspace " + name + " with its CPU and "
                    + "memory limits (" + cgroups.description() + "): " + failed.getMessage(), failed);
        }
    }

    private Process startWorkspaceProcess(WorkspaceSpec spec, Path directory, Path home, int port)
            throws SpawnException {
        List<String> workspaceCommand = new ArrayList<>();
        for (String argument : config.command()) {
            workspaceCommand.add(argument.replace("{port}", Integer.toString(port)));
        }
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            command.add(SETSID.toString());
        }
        command.addAll(cgroups.wrap(directory.getFileName().toString(), workspaceCommand));

        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("workspace.log").toFile()));
        Map<String, String> environment = builder.environment();
        environment.clear();
        environment.putAll(environment(spec, home, port));
        try {
            requireExecutable(config.command().getFirst());
            return builder.start();
        } catch (IOException failed) {
            throw new SpawnException("failed to run the workspace command " + config.command().getFirst() + ": "
                    + failed.getMessage(), failed);
        }
    }

    /**
     * Returns the workspace's environment: a few variables of the hub's own (never all of them, since they
     * may hold the hub's secrets), then the user's {@code env} option, then the hub's {@code JUPYTERHUB_*}
     * set, then the path prefix, port and thread count that this spawner decides.
     */
    private static Map<String, String> environment(WorkspaceSpec spec, Path home, int port) {
        Map<String, String> environment = new LinkedHashMap<>();
        for (String inherited : INHERITED_ENVIRONMENT) {
            String value = System.getenv(inherited);
            if (value != null) {
                environment.put(inherited, value);
            }
        }
        environment.put("HOME", home.toString());
        environment.put("USER", System.getProperty("user.name"));
        environment.putAll(spec.options().environment());
        environment.putAll(spec.environment());
        environment.put("JUPYTERHUB_SERVICE_PREFIX", spec.baseUrl());
        environment.put("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:" + port + spec.baseUrl());
        environment.put("WORKSPACE_PORT", Integer.toString(port));
        Double cpus = spec.options().cpuLimit();
        if (cpus != null) {
            environment.put("MAX_NUM_THREADS", Long.toString(Math.max(1, (long) Math.ceil(cpus))));
        }
        return environment;
    }

    private void watchExit(Path directory, Process process) {
        String name = directory.getFileName().toString();
        children.put(name, process);
        process.onExit().thenAcceptAsync(exited -> recordExit(directory, exited), exitWatchers);
    }

    private void recordExit(Path directory, Process exited) {
        if (closed) {
            return;
        }
        String name = directory.getFileName().toString();
        ReentrantLock lock = lock(name);
        lock.lock();
        try {
            try {
                Optional<WorkspaceState> state = readState(directory);
                if (state.isEmpty() || state.get().workspace() == null
                        || state.get().workspace().pid() != exited.pid()) {
                    return;
                }
                writeState(directory, state.get().withExit(exited.exitValue()));
                if (!state.get().stopped()) {
                    logger.info("workspace exited engine=process workspace={} pid={} exitCode={}", name,
                            exited.pid(), exited.exitValue());
                    Processes.terminate(state.get().sshd(), config.stopTimeout());
                    notifyExit(state.get().ref(), exited.exitValue());
                }
                // Detached processes (setsid, nohup) stay in the cgroup after the workspace process exits.
                cgroups.remove(name, config.stopTimeout());
            } catch (SpawnException | UncheckedIOException failed) {
                logger.warn("failed to record the exit of workspace={} pid={} error={}", name, exited.pid(),
                        failed.getMessage());
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        } finally {
            lock.unlock();
        }
    }

    private void notifyExit(WorkspaceRef ref, int exitCode) {
        WorkspaceEvent event = new WorkspaceEvent(ref, WorkspaceEvent.Kind.STOPPED, "exit", exitCode);
        for (WorkspaceWatch.Listener listener : listeners) {
            exitWatchers.execute(() -> listener.workspaceChanged(event));
        }
    }

    @Override
    public void stop(WorkspaceRef ref) throws SpawnException {
        String name = WorkspaceNames.container(ref);
        ReentrantLock lock = lock(name);
        lock.lock();
        try {
            Path directory = workspacesDirectory.resolve(name);
            Optional<WorkspaceState> state = readState(directory);
            if (state.isEmpty()) {
                return;
            }
            try {
                Processes.terminate(state.get().workspace(), config.stopTimeout());
                Processes.terminate(state.get().sshd(), config.stopTimeout());
                cgroups.remove(name, config.stopTimeout());
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new SpawnException("interrupted while stopping the workspace", interrupted);
            }
            Integer exitCode = exitCode(name, state.get());
            writeState(directory, state.get().asStopped(exitCode));
            logger.info("workspace stopped engine=process workspace={}", name);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void delete(WorkspaceRef ref, boolean removeVolume) throws SpawnException {
        stop(ref);
        String name = WorkspaceNames.container(ref);
        ReentrantLock lock = lock(name);
        lock.lock();
        try {
            Path directory = workspacesDirectory.resolve(name);
            children.remove(name);
            try {
                for (String entry : List.of("state.json", "workspace.log", "workspace.log.1", "ssh")) {
                    deleteRecursively(directory.resolve(entry));
                }
                if (removeVolume) {
                    deleteRecursively(directory);
                }
            } catch (IOException failed) {
                throw new SpawnException("failed to delete the files of workspace " + name + ": "
                        + failed.getMessage(), failed);
            }
            logger.info("workspace deleted engine=process workspace={} removedFiles={}", name, removeVolume);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<WorkspaceStatus> status(WorkspaceRef ref) throws SpawnException {
        Path directory = workspacesDirectory.resolve(WorkspaceNames.container(ref));
        Optional<WorkspaceState> state = readState(directory);
        if (state.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(toStatus(directory, state.get()));
    }

    @Override
    public List<WorkspaceStatus> list() throws SpawnException {
        if (!Files.isDirectory(workspacesDirectory)) {
            return List.of();
        }
        List<WorkspaceStatus> statuses = new ArrayList<>();
        try (Stream<Path> directories = Files.list(workspacesDirectory)) {
            for (Path directory : directories.sorted().toList()) {
                Optional<WorkspaceState> state = readState(directory);
                if (state.isPresent()) {
                    statuses.add(toStatus(directory, state.get()));
                }
            }
        } catch (IOException failed) {
            throw new SpawnException("failed to list " + workspacesDirectory + ": " + failed.getMessage(), failed);
        }
        return statuses;
    }

    @Override
    public void updateSshKeys(WorkspaceRef ref, List<String> sshPublicKeys) throws SpawnException {
        String name = WorkspaceNames.container(ref);
        Path directory = workspacesDirectory.resolve(name);
        if (readState(directory).isEmpty()) {
            throw new SpawnException("workspace " + name + " not found");
        }
        try {
            WorkspaceSshd.writeAuthorizedKeys(directory.resolve("ssh"), AuthorizedKeys.render(sshPublicKeys));
        } catch (IOException failed) {
            throw new SpawnException("failed to write the SSH keys of workspace " + name + ": "
                    + failed.getMessage(), failed);
        }
        logger.info("workspace ssh keys updated engine=process workspace={} keys={}", name, sshPublicKeys.size());
    }

    private WorkspaceStatus toStatus(Path directory, WorkspaceState state) throws SpawnException {
        boolean running = isRunning(state);
        if (!running && Processes.isAlive(state.sshd())) {
            // The workspace died while no hub watched it (or before this hub adopted it); its sshd goes too.
            exitWatchers.execute(() -> terminateQuietly(state.sshd()));
        }
        List<String> lastLines;
        try {
            lastLines = LogTail.lastLines(directory.resolve("workspace.log"), config.logLines());
        } catch (IOException unreadable) {
            lastLines = List.of("(log unreadable: " + unreadable.getMessage() + ")");
        }
        String engineId = state.workspace() == null ? "" : Long.toString(state.workspace().pid());
        return new WorkspaceStatus(state.ref(), engineId, running,
                running ? null : exitCode(directory.getFileName().toString(), state),
                running ? httpTarget(state) : null,
                running ? sshAddress(state) : null,
                state.expiresAt(), lastLines);
    }

    private void terminateQuietly(@Nullable ProcessId process) {
        try {
            Processes.terminate(process, config.stopTimeout());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Returns the exit code of a workspace whose process is gone, when this hub started it. */
    private @Nullable Integer exitCode(String name, WorkspaceState state) {
        Process child = children.get(name);
        ProcessId id = state.workspace();
        if (child == null || id == null || child.pid() != id.pid()) {
            return state.exitCode();
        }
        try {
            // The process handle may report the exit a moment before the JDK has reaped the child.
            return child.waitFor(2, TimeUnit.SECONDS) ? child.exitValue() : state.exitCode();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return state.exitCode();
        }
    }

    private static boolean isRunning(WorkspaceState state) {
        return !state.stopped() && Processes.isAlive(state.workspace());
    }

    private static StartedWorkspace started(WorkspaceState state) {
        String pid = state.workspace() == null ? "" : Long.toString(state.workspace().pid());
        return new StartedWorkspace(pid, httpTarget(state), sshAddress(state));
    }

    private static URI httpTarget(WorkspaceState state) {
        return URI.create("http://127.0.0.1:" + state.port());
    }

    private static @Nullable InetSocketAddress sshAddress(WorkspaceState state) {
        return state.sshPort() == 0 ? null : new InetSocketAddress("127.0.0.1", state.sshPort());
    }

    private Optional<WorkspaceState> readState(Path directory) throws SpawnException {
        Path file = directory.resolve("state.json");
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(json.readValue(file.toFile(), WorkspaceState.class));
        } catch (IOException unreadable) {
            throw new SpawnException("failed to read " + file + ": " + unreadable.getMessage(), unreadable);
        }
    }

    /** Writes the state through a temporary file and a rename, so a crash never leaves half a file. */
    private void writeState(Path directory, WorkspaceState state) throws SpawnException {
        try {
            Files.createDirectories(directory);
            Path temporary = Files.createTempFile(directory, "state", ".tmp");
            json.writeValue(temporary.toFile(), state);
            Files.move(temporary, directory.resolve("state.json"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException failed) {
            throw new SpawnException("failed to write the state of workspace " + directory.getFileName() + ": "
                    + failed.getMessage(), failed);
        }
    }

    private static void rotateLog(Path directory) throws SpawnException {
        Path log = directory.resolve("workspace.log");
        try {
            if (Files.exists(log)) {
                Files.move(log, directory.resolve("workspace.log.1"), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException failed) {
            throw new SpawnException("failed to rotate " + log + ": " + failed.getMessage(), failed);
        }
    }

    private static void createDirectories(Path directory) throws SpawnException {
        try {
            Files.createDirectories(directory);
        } catch (IOException failed) {
            throw new SpawnException("failed to create " + directory + ": " + failed.getMessage(), failed);
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> tree = Files.walk(path)) {
            for (Path entry : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(entry);
            }
        }
    }

    /**
     * Stops watching the workspaces; they keep running, and a new spawner on the same data folder adopts them.
     * After this, only one spawner writes their state files.
     */
    @Override
    public void close() {
        closed = true;
        exitWatchers.shutdownNow();
    }

    /** Returns how CPU and memory limits are enforced, for the start-up report and tests. */
    String limitsEnforcedBy() {
        return cgroups.description();
    }

    /** Returns the lock that orders starts, stops and exit records of one workspace. */
    private ReentrantLock lock(String name) {
        return locks.computeIfAbsent(name, key -> new ReentrantLock());
    }
}
