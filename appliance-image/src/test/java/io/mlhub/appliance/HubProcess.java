package io.mlhub.appliance;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The built {@code mlhub.jar} running as a real process with the test JVM's java, in a data folder of its
 * own. Every process it starts (workspaces, their sshd) is remembered, so the test can stop what outlives a
 * killed hub.
 */
final class HubProcess implements HubRunner {
    private final Path dataDir;
    private final int port;
    private final Map<String, String> env;
    private final Path log;
    private final Set<Long> seenDescendants = new HashSet<>();
    private Process process;
    private int starts;

    HubProcess(Path dataDir, int port, Map<String, String> env) {
        this.dataDir = dataDir;
        this.port = port;
        this.env = Map.copyOf(env);
        this.log = dataDir.resolve("hub.log");
    }

    /** Returns a hub name of 5 characters that no other test run uses. */
    static String uniqueHubName(char prefix) {
        String letters = "abcdefghijklmnopqrstuvwxyz";
        SecureRandom random = new SecureRandom();
        StringBuilder name = new StringBuilder().append(prefix);
        for (int i = 0; i < 4; i++) {
            name.append(letters.charAt(random.nextInt(letters.length())));
        }
        return name.toString();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static Path jar() {
        Path jar = Path.of(System.getProperty("mlhub.jar", "target/mlhub.jar")).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("mlhub.jar is missing (built by mvn package): " + jar);
        }
        return jar;
    }

    /** Starts the jar; its output goes to {@code hub.log} in the data folder, appended across restarts. */
    @Override
    public void start() throws IOException {
        start(List.of());
    }

    /** Starts the jar with extra JVM options, such as system properties. */
    @Override
    public void start(List<String> jvmOptions) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar().toString(), "serve", "--port", Integer.toString(port), "--data-dir",
                dataDir.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dataDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(key -> key.startsWith("START_") || key.equals("HUB_CONFIG")
                || key.equals("EXECUTION_MODE") || key.equals("SSL_ENABLED") || key.equals("HUB_NAME"));
        environment.putAll(env);
        starts++;
        Files.writeString(log, "---- start " + starts + " ----\n", StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        process = builder.start();
    }

    @Override
    public int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    @Override
    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    Path dataDir() {
        return dataDir;
    }

    /** Notes the hub's current child processes, so that they can be stopped after the hub is gone. */
    void rememberDescendants() {
        if (process != null) {
            process.descendants().forEach(child -> seenDescendants.add(child.pid()));
        }
    }

    /** Returns the pids of processes the hub started that are still running (zombies do not count). */
    List<Long> liveDescendants() {
        rememberDescendants();
        List<Long> alive = new ArrayList<>();
        for (long pid : seenDescendants) {
            if (isRunning(pid)) {
                alive.add(pid);
            }
        }
        return alive;
    }

    /**
     * Returns whether a process runs. An exited workspace whose parent (the killed hub) is gone may stay a zombie
     * here, because this machine's init does not reap orphans, and a zombie still looks alive to ProcessHandle.
     */
    static boolean isRunning(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }

    /** Sends SIGKILL to the hub only (not its workspaces) and waits until it is gone. */
    @Override
    public void kill() throws InterruptedException {
        rememberDescendants();
        process.destroyForcibly();
        process.waitFor(20, TimeUnit.SECONDS);
    }

    /** Sends SIGTERM and returns the exit code, or -1 when the hub did not stop in time. */
    @Override
    public int terminate() throws InterruptedException {
        rememberDescendants();
        process.destroy();
        return process.waitFor(30, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }

    @Override
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Stops the hub and then every process it started, by pid. */
    @Override
    public void stopAll() throws InterruptedException {
        if (isAlive()) {
            rememberDescendants();
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        for (long pid : seenDescendants) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        }
        Thread.sleep(500);
        for (long pid : seenDescendants) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    static Map<String, String> env(String... pairs) {
        Map<String, String> result = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            result.put(pairs[i], pairs[i + 1]);
        }
        return result;
    }
}
