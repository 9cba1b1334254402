package io.mlhub.hub.spawn.process;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mlhub.hub.spawn.WorkspaceOptions;
import io.mlhub.hub.spawn.WorkspaceRef;
import io.mlhub.hub.spawn.WorkspaceSpec;
import io.mlhub.hub.spawn.WorkspaceStatus;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CPU and memory limits of process workspaces, read back from the kernel's cgroup files of the real processes.
 * Skipped where this machine lets the hub write no cgroup.
 */
@Tag("slow")
class ProcessLimitsTest {
    @TempDir
    Path data;

    private ProcessSpawner spawner;
    private final List<WorkspaceRef> started = new ArrayList<>();
    private final List<Process> detached = new ArrayList<>();

    @AfterEach
    void deleteWorkspaces() throws Exception {
        for (Process process : detached) {
            process.destroyForcibly();
        }
        for (WorkspaceRef ref : started) {
            spawner.delete(ref, true);
        }
        spawner.close();
    }

    private ProcessSpawner spawner(List<String> command) {
        return spawner(command, false);
    }

    private ProcessSpawner spawner(List<String> command, boolean sshd) {
        spawner = new ProcessSpawner(ProcessSpawnerConfig.defaults(data).withCommand(command).withSshd(sshd)
                .withStopTimeout(Duration.ofSeconds(2)));
        assumeTrue(spawner.capabilities().resourceLimits(), "no writable cgroup here: "
                + spawner.limitsEnforcedBy());
        return spawner;
    }

    private WorkspaceRef start(String user, @Nullable Double cpus, @Nullable Long memoryBytes) throws Exception {
        return start(user, cpus, memoryBytes, List.of());
    }

    private WorkspaceRef start(String user, @Nullable Double cpus, @Nullable Long memoryBytes, List<String> keys)
            throws Exception {
        WorkspaceRef ref = new WorkspaceRef("mlhub", user, "");
        WorkspaceOptions options = new WorkspaceOptions("process", cpus, memoryBytes, 0, List.of(), Map.of(), null,
                null, false);
        if (!started.contains(ref)) {
            started.add(ref);
        }
        spawner.start(new WorkspaceSpec(ref, options, Map.of(), "/user/" + user + "/", keys, null),
                (percent, message) -> {});
        return ref;
    }

    @Test
    void limitsReadBackFromCgroupFiles() throws Exception {
        spawner(List.of("sh", "-c", "sleep 600 & wait"));
        WorkspaceRef ref = start("cgalice", 0.5, 64L << 20);
        long pid = Long.parseLong(spawner.status(ref).orElseThrow().engineId());
        await().atMost(Duration.ofSeconds(5))
                .until(() -> ProcessHandle.of(pid).orElseThrow().children().findAny().isPresent());
        long child = ProcessHandle.of(pid).orElseThrow().children().findFirst().orElseThrow().pid();

        Cgroup workspace = Cgroup.of(pid);
        Cgroup kernel = Cgroup.of(child);

        assertThat(workspace.cpuPath()).endsWith("/mlhub-workspaces/ws-mlhub-cgalice");
        assertThat(workspace.memoryPath()).endsWith("/mlhub-workspaces/ws-mlhub-cgalice");
        assertThat(kernel).as("a child of the workspace is in its cgroup too").isEqualTo(workspace);
        if (workspace.v2()) {
            assertThat(workspace.read("cpu.max")).isEqualTo("50000 100000");
            assertThat(workspace.read("memory.max")).isEqualTo(Long.toString(64L << 20));
        } else {
            assertThat(workspace.read("cpu.cfs_quota_us")).isEqualTo("50000");
            assertThat(workspace.read("cpu.cfs_period_us")).isEqualTo("100000");
            assertThat(workspace.readMemory("memory.limit_in_bytes")).isEqualTo(Long.toString(64L << 20));
        }

        spawner.stop(ref);
        assertThat(workspace.cpuDirectory()).as("the cgroup goes with the stop").doesNotExist();
        assertThat(workspace.memoryDirectory()).doesNotExist();
    }

    @Test
    void memoryOverLimitKillsWorkspace() throws Exception {
        spawner(List.of("python3", "-c", "import time\ndata = b'x' * (256 << 20)\nprint('survived', flush=True)\n"
                + "time.sleep(600)"));
        WorkspaceRef ref = start("cgbob", null, 64L << 20);

        await().atMost(Duration.ofSeconds(30)).until(() -> !spawner.status(ref).orElseThrow().running());
        WorkspaceStatus status = spawner.status(ref).orElseThrow();

        assertThat(status.exitCode()).as("killed by SIGKILL, log: %s", status.lastLogLines()).isEqualTo(137);
        assertThat(status.lastLogLines()).noneMatch(line -> line.contains("survived"));
    }

    @Test
    void sshdAndSshSessionsRunInWorkspaceCgroup() throws Exception {
        Path key = keyPair();
        spawner(List.of("sleep", "600"), true);
        WorkspaceRef ref = start("cgcarol", 0.5, 256L << 20, List.of(Files.readString(Path.of(key + ".pub"))));
        JsonNode state = new ObjectMapper().readTree(data.resolve("workspaces/ws-mlhub-cgcarol/state.json")
                .toFile());
        long workspacePid = state.path("workspace").path("pid").asLong();
        long sshdPid = state.path("sshd").path("pid").asLong();
        int sshPort = state.path("sshPort").asInt();
        Cgroup workspace = awaitWorkspaceCgroup(workspacePid, "cgcarol");

        assertThat(Cgroup.of(sshdPid)).as("the workspace's sshd").isEqualTo(workspace);
        String session = ssh(key, sshPort, "cat /proc/self/cgroup");
        assertThat(Cgroup.parse(List.of(session.split("\n")))).as("a command run over SSH, output: %s", session)
                .isEqualTo(workspace);

        spawner.stop(ref);
        assertThat(ProcessHandle.of(sshdPid)).isEmpty();
        assertThat(workspace.cpuDirectory()).doesNotExist();
        assertThat(workspace.memoryDirectory()).doesNotExist();
    }

    @Test
    void stopEndsDetachedProcessesInCgroup() throws Exception {
        spawner(List.of("sleep", "600"));
        WorkspaceRef ref = start("cgdave", 0.5, 64L << 20);
        Cgroup workspace = awaitWorkspaceCgroup(Long.parseLong(spawner.status(ref).orElseThrow().engineId()),
                "cgdave");
        Process sleep = detachedInto(workspace, "exec sleep 1000");
        Process ignoresTerm = detachedInto(workspace, "trap '' TERM; exec sleep 1000");

        spawner.stop(ref);

        assertThat(sleep.waitFor(5, TimeUnit.SECONDS)).as("the setsid sleep is gone").isTrue();
        assertThat(ignoresTerm.waitFor(5, TimeUnit.SECONDS)).as("the one that ignores SIGTERM too").isTrue();
        assertThat(workspace.cpuDirectory()).doesNotExist();
        assertThat(workspace.memoryDirectory()).doesNotExist();
    }

    @Test
    void exitOfWorkspaceEndsDetachedProcesses() throws Exception {
        spawner(List.of("sleep", "600"));
        WorkspaceRef ref = start("cgerin", null, 64L << 20);
        long pid = Long.parseLong(spawner.status(ref).orElseThrow().engineId());
        Cgroup workspace = awaitWorkspaceCgroup(pid, "cgerin");
        Process sleep = detachedInto(workspace, "exec sleep 1000");

        ProcessHandle.of(pid).orElseThrow().destroyForcibly();

        assertThat(sleep.waitFor(10, TimeUnit.SECONDS)).as("the setsid sleep goes with the workspace").isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(workspace.cpuDirectory())
                && !Files.exists(workspace.memoryDirectory()));
    }

    @Test
    void startEndsProcessesLeftInOldCgroup() throws Exception {
        spawner(List.of("sleep", "600"));
        WorkspaceRef ref = start("cgfrank", 0.5, 64L << 20);
        long pid = Long.parseLong(spawner.status(ref).orElseThrow().engineId());
        Cgroup workspace = awaitWorkspaceCgroup(pid, "cgfrank");
        Process sleep = detachedInto(workspace, "exec sleep 1000");
        // A hub that is gone notices no exit, so the workspace's cgroup stays with the detached process in it.
        spawner.close();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        await().atMost(Duration.ofSeconds(5)).until(() -> ProcessHandle.of(pid).isEmpty());
        assertThat(sleep.isAlive()).isTrue();

        spawner(List.of("sleep", "600"));
        start("cgfrank", 0.5, 64L << 20);
        long restarted = Long.parseLong(spawner.status(ref).orElseThrow().engineId());

        assertThat(sleep.waitFor(5, TimeUnit.SECONDS)).as("the process left from the first run").isTrue();
        assertThat(awaitWorkspaceCgroup(restarted, "cgfrank")).isEqualTo(workspace);
        assertThat(Files.readString(workspace.cpuDirectory().resolve("cgroup.procs")).strip())
                .isEqualTo(Long.toString(restarted));
    }

    /**
     * Starts {@code script} in a new session and moves it into the workspace's cgroups, as a user's daemon. The
     * script must end in {@code exec}, so that no child starts outside the cgroups before the move.
     */
    private Process detachedInto(Cgroup workspace, String script) throws Exception {
        Process process = new ProcessBuilder("setsid", "sh", "-c", script).start();
        detached.add(process);
        for (Path directory : List.of(workspace.cpuDirectory(), workspace.memoryDirectory())) {
            Files.writeString(directory.resolve("cgroup.procs"), Long.toString(process.pid()));
        }
        assertThat(Cgroup.of(process.pid())).isEqualTo(workspace);
        return process;
    }

    /**
     * Waits until the process is in the workspace's cgroups, because the shell that wraps a workspace command
     * moves itself there a moment after it starts.
     */
    private static Cgroup awaitWorkspaceCgroup(long pid, String user) {
        String path = "/mlhub-workspaces/ws-mlhub-" + user;
        return await().atMost(Duration.ofSeconds(5)).until(() -> Cgroup.of(pid),
                cgroup -> cgroup.cpuPath().endsWith(path) && cgroup.memoryPath().endsWith(path));
    }

    private Path keyPair() throws Exception {
        Path key = data.resolve("client_key");
        Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString())
                .redirectErrorStream(true).start();
        assertThat(keygen.waitFor()).isZero();
        return key;
    }

    /** Runs {@code command} over SSH with the real OpenSSH client; returns its output, or "failed: ...". */
    private static String ssh(Path key, int port, String command) throws Exception {
        Process ssh = new ProcessBuilder("ssh", "-i", key.toString(), "-p", Integer.toString(port),
                "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10",
                System.getProperty("user.name") + "@127.0.0.1", command)
                .redirectErrorStream(true).start();
        String output = new String(ssh.getInputStream().readAllBytes(), UTF_8).strip();
        return ssh.waitFor() == 0 ? output : "failed: " + output;
    }

    /** Where a process's cgroups are, from {@code /proc/<pid>/cgroup}. */
    private record Cgroup(boolean v2, String cpuPath, String memoryPath) {
        static Cgroup of(long pid) throws IOException {
            return parse(Files.readAllLines(Path.of("/proc/" + pid + "/cgroup")));
        }

        static Cgroup parse(List<String> lines) {
            boolean v2 = Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
            String cpu = null;
            String memory = null;
            for (String line : lines) {
                String[] fields = line.split(":", 3);
                if (fields.length != 3) {
                    continue;
                }
                List<String> controllers = List.of(fields[1].split(","));
                if (v2 && fields[0].equals("0")) {
                    cpu = fields[2];
                    memory = fields[2];
                } else if (!v2 && controllers.contains("cpu")) {
                    cpu = fields[2];
                } else if (!v2 && controllers.contains("memory")) {
                    memory = fields[2];
                }
            }
            return new Cgroup(v2, String.valueOf(cpu), String.valueOf(memory));
        }

        Path cpuDirectory() {
            return v2 ? Path.of("/sys/fs/cgroup" + cpuPath) : Path.of("/sys/fs/cgroup/cpu" + cpuPath);
        }

        Path memoryDirectory() {
            return v2 ? Path.of("/sys/fs/cgroup" + memoryPath) : Path.of("/sys/fs/cgroup/memory" + memoryPath);
        }

        String read(String file) throws IOException {
            return Files.readString(cpuDirectory().resolve(file)).strip();
        }

        String readMemory(String file) throws IOException {
            return Files.readString(memoryDirectory().resolve(file)).strip();
        }
    }
}
