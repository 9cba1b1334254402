package io.mlhub.hub.spawn.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mlhub.hub.spawn.WorkspaceOptions;
import io.mlhub.hub.spawn.WorkspaceRef;
import io.mlhub.hub.spawn.WorkspaceSpec;
import io.mlhub.hub.spawn.WorkspaceStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

    @AfterEach
    void deleteWorkspaces() throws Exception {
        for (WorkspaceRef ref : started) {
            spawner.delete(ref, true);
        }
        spawner.close();
    }

    private ProcessSpawner spawner(List<String> command) {
        spawner = new ProcessSpawner(ProcessSpawnerConfig.defaults(data).withCommand(command).withSshd(false)
                .withStopTimeout(Duration.ofSeconds(2)));
        assumeTrue(spawner.capabilities().resourceLimits(), "no writable cgroup here: "
                + spawner.limitsEnforcedBy());
        return spawner;
    }

    private WorkspaceRef start(String user, @Nullable Double cpus, @Nullable Long memoryBytes) throws Exception {
        WorkspaceRef ref = new WorkspaceRef("mlhub", user, "");
        WorkspaceOptions options = new WorkspaceOptions("process", cpus, memoryBytes, 0, List.of(), Map.of(), null,
                null, false);
        started.add(ref);
        spawner.start(new WorkspaceSpec(ref, options, Map.of(), "/user/" + user + "/", List.of(), null),
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

    /** Where a process's cgroups are, from {@code /proc/<pid>/cgroup}. */
    private record Cgroup(boolean v2, String cpuPath, String memoryPath) {
        static Cgroup of(long pid) throws IOException {
            boolean v2 = Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
            String cpu = null;
            String memory = null;
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
                String[] fields = line.split(":", 3);
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
