package io.mlhub.hub.spawn.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces a workspace process's CPU and memory limits with a control group (cgroup) of its own, under a folder
 * {@code mlhub-<folder name>} below the hub's own cgroup, so the workspaces also stay inside any limit of the hub.
 * A shell moves itself into the cgroup and then runs the workspace command, so the command and every process it
 * starts (such as notebook kernels) are inside from their first instruction. The workspace's sshd starts the same
 * way, so SSH sessions share the limits. Stopping the workspace ends every process left in the cgroup, also
 * those that detached from the workspace's process tree.
 *
 * <p>With cgroup v2 the limits are {@code cpu.max} and {@code memory.max} (with {@code memory.swap.max} 0); with
 * cgroup v1 they are {@code cpu.cfs_quota_us} over {@code cpu.cfs_period_us} and {@code memory.limit_in_bytes}
 * (with {@code memory.memsw.limit_in_bytes} the same, so swap does not extend it). When neither is writable, as
 * for a hub without root or without a delegated cgroup, no limit is enforced and the spawner logs that at start.
 *
 * <p>The rlimit fallback ({@code prlimit --as}) is deliberately not used: RLIMIT_AS caps virtual address space,
 * and Python with numpy or OpenBLAS threads reserves far more address space than it uses, so such a cap fails
 * allocations long before real memory use reaches it. RLIMIT_CPU caps total CPU seconds and then kills the
 * process, which is no rate limit either.
 */
sealed interface WorkspaceCgroups {
    Logger logger = LoggerFactory.getLogger(WorkspaceCgroups.class);
    long CPU_PERIOD_MICROS = 100_000;

    /** Returns a short description for logs and errors, such as {@code cgroup v2 at /sys/fs/cgroup/mlhub-x}. */
    String description();

    /** Returns whether CPU and memory limits are enforced. */
    default boolean enforced() {
        return !(this instanceof None);
    }

    /** Creates the workspace's cgroup, or updates a leftover one, with the limits ({@code null} for none). */
    void prepare(String workspace, @Nullable Double cpus, @Nullable Long memoryBytes) throws IOException;

    /** Returns the workspace's cgroup folders, one per hierarchy; none when no limit is enforced. */
    List<Path> folders(String workspace);

    /**
     * Returns {@code command} wrapped so that it moves into the workspace's cgroup (made by {@link #prepare})
     * before its first instruction, with every process it starts.
     */
    default List<String> wrap(String workspace, List<String> command) {
        List<Path> procsFiles = folders(workspace).stream().map(folder -> folder.resolve("cgroup.procs")).toList();
        return procsFiles.isEmpty() ? command : wrapped(procsFiles, command);
    }

    /**
     * Ends every process in the workspace's cgroup (SIGTERM, up to {@code grace} to exit, then SIGKILL) and
     * removes its folders. A folder that cannot be removed is logged at WARN and stays.
     */
    default void remove(String workspace, Duration grace) throws InterruptedException {
        List<Path> folders = folders(workspace).stream().filter(Files::isDirectory).toList();
        if (folders.isEmpty()) {
            return;
        }
        CgroupMembers.end(folders, grace);
        for (Path folder : folders) {
            try {
                Files.deleteIfExists(folder);
            } catch (IOException stillUsed) {
                logger.warn("workspace cgroup not removed workspace={} cgroup={} error={}", workspace, folder,
                        stillUsed.toString());
            }
        }
    }

    /** Finds the cgroup support of this machine and creates the folder {@code mlhub-<folderName>} for workspaces. */
    static WorkspaceCgroups detect(String folderName) {
        String folder = "mlhub-" + folderName;
        List<String> membership;
        List<String> mounts;
        try {
            membership = Files.readAllLines(Path.of("/proc/self/cgroup"));
            mounts = Files.readAllLines(Path.of("/proc/self/mountinfo"));
        } catch (IOException unreadable) {
            return new None("/proc/self/cgroup unreadable: " + unreadable.getMessage());
        }
        Optional<V2> v2 = V2.detect(folder, membership, mounts);
        if (v2.isPresent()) {
            return v2.get();
        }
        Optional<V1> v1 = V1.detect(folder, membership, mounts);
        if (v1.isPresent()) {
            return v1.get();
        }
        return new None("no writable cgroup v2 with the cpu and memory controllers and no writable cgroup v1 cpu "
                + "and memory hierarchies");
    }

    /** Returns the shell command that moves itself into each {@code procs} file and then runs {@code command}. */
    private static List<String> wrapped(List<Path> procsFiles, List<String> command) {
        StringBuilder script = new StringBuilder();
        for (Path procs : procsFiles) {
            script.append("echo $$ > '").append(procs).append("' && ");
        }
        script.append("exec \"$@\"");
        List<String> result = new ArrayList<>(List.of("/bin/sh", "-c", script.toString(), "mlhub-workspace"));
        result.addAll(command);
        return result;
    }

    /** Returns the mount point of the cgroup file system whose options contain {@code controller}, if any. */
    private static Optional<Path> mountPoint(List<String> mounts, String fileSystem, @Nullable String controller) {
        for (String line : mounts) {
            String[] halves = line.split(" - ", 2);
            if (halves.length != 2) {
                continue;
            }
            String[] before = halves[0].split(" ");
            String[] after = halves[1].split(" ");
            if (before.length < 5 || after.length < 3 || !after[0].equals(fileSystem) || !before[3].equals("/")) {
                continue;
            }
            if (controller == null || List.of(after[2].split(",")).contains(controller)) {
                return Optional.of(Path.of(before[4]));
            }
        }
        return Optional.empty();
    }

    /** Returns this process's cgroup path in the hierarchy with {@code controller} (v1) or the v2 one (null). */
    private static Optional<String> ownPath(List<String> membership, @Nullable String controller) {
        for (String line : membership) {
            String[] fields = line.split(":", 3);
            if (fields.length != 3) {
                continue;
            }
            boolean matches = controller == null ? fields[0].equals("0") && fields[1].isEmpty()
                    : List.of(fields[1].split(",")).contains(controller);
            if (matches) {
                return Optional.of(fields[2]);
            }
        }
        return Optional.empty();
    }

    private static Path below(Path mount, String path) {
        return path.equals("/") ? mount : mount.resolve(path.substring(1));
    }

    private static void write(Path file, String value) throws IOException {
        Files.writeString(file, value);
    }

    /** The unified hierarchy, in which the hub's folder enables the cpu and memory controllers for its children. */
    record V2(Path parent) implements WorkspaceCgroups {

        static Optional<V2> detect(String folder, List<String> membership, List<String> mounts) {
            Optional<Path> mount = mountPoint(mounts, "cgroup2", null);
            Optional<String> own = ownPath(membership, null);
            if (mount.isEmpty() || own.isEmpty()) {
                return Optional.empty();
            }
            Path hubGroup = below(mount.get(), own.get());
            try {
                List<String> available = List.of(Files.readString(hubGroup.resolve("cgroup.controllers")).strip()
                        .split(" "));
                if (!available.contains("cpu") || !available.contains("memory")) {
                    return Optional.empty();
                }
                // NOTE: the kernel rejects this for a non-root cgroup that still contains processes, such as the
                // hub's own cgroup under systemd. Such a hub falls back to v1 or to no limits.
                write(hubGroup.resolve("cgroup.subtree_control"), "+cpu +memory");
                Path parent = hubGroup.resolve(folder);
                Files.createDirectories(parent);
                write(parent.resolve("cgroup.subtree_control"), "+cpu +memory");
                return Optional.of(new V2(parent));
            } catch (IOException notWritable) {
                logger.debug("cgroup v2 not usable for workspaces cgroup={} error={}", hubGroup,
                        notWritable.getMessage());
                return Optional.empty();
            }
        }

        @Override
        public String description() {
            return "cgroup v2 at " + parent;
        }

        @Override
        public void prepare(String workspace, @Nullable Double cpus, @Nullable Long memoryBytes)
                throws IOException {
            Path group = parent.resolve(workspace);
            Files.createDirectories(group);
            write(group.resolve("cpu.max"), cpus == null ? "max " + CPU_PERIOD_MICROS
                    : Math.round(cpus * CPU_PERIOD_MICROS) + " " + CPU_PERIOD_MICROS);
            write(group.resolve("memory.max"), memoryBytes == null ? "max" : Long.toString(memoryBytes));
            if (Files.exists(group.resolve("memory.swap.max"))) {
                write(group.resolve("memory.swap.max"), memoryBytes == null ? "max" : "0");
            }
        }

        @Override
        public List<Path> folders(String workspace) {
            return List.of(parent.resolve(workspace));
        }
    }

    /** The separate cpu and memory hierarchies of cgroup v1. */
    record V1(Path cpuParent, Path memoryParent) implements WorkspaceCgroups {

        static Optional<V1> detect(String folder, List<String> membership, List<String> mounts) {
            Optional<Path> cpuMount = mountPoint(mounts, "cgroup", "cpu");
            Optional<Path> memoryMount = mountPoint(mounts, "cgroup", "memory");
            Optional<String> cpuOwn = ownPath(membership, "cpu");
            Optional<String> memoryOwn = ownPath(membership, "memory");
            if (cpuMount.isEmpty() || memoryMount.isEmpty() || cpuOwn.isEmpty() || memoryOwn.isEmpty()) {
                return Optional.empty();
            }
            Path cpuParent = below(cpuMount.get(), cpuOwn.get()).resolve(folder);
            Path memoryParent = below(memoryMount.get(), memoryOwn.get()).resolve(folder);
            try {
                Files.createDirectories(cpuParent);
                Files.createDirectories(memoryParent);
                if (!Files.isWritable(cpuParent.resolve("cgroup.procs"))
                        || !Files.isWritable(memoryParent.resolve("cgroup.procs"))) {
                    return Optional.empty();
                }
                return Optional.of(new V1(cpuParent, memoryParent));
            } catch (IOException notWritable) {
                logger.debug("cgroup v1 not usable for workspaces cpu={} memory={} error={}", cpuParent,
                        memoryParent, notWritable.getMessage());
                return Optional.empty();
            }
        }

        @Override
        public String description() {
            return "cgroup v1 at " + cpuParent + " and " + memoryParent;
        }

        @Override
        public void prepare(String workspace, @Nullable Double cpus, @Nullable Long memoryBytes)
                throws IOException {
            Path cpu = cpuParent.resolve(workspace);
            Path memory = memoryParent.resolve(workspace);
            Files.createDirectories(cpu);
            Files.createDirectories(memory);
            write(cpu.resolve("cpu.cfs_period_us"), Long.toString(CPU_PERIOD_MICROS));
            write(cpu.resolve("cpu.cfs_quota_us"), cpus == null ? "-1"
                    : Long.toString(Math.round(cpus * CPU_PERIOD_MICROS)));
            // The combined memory+swap limit must never be below the memory limit, so both go up to unlimited
            // memsw first and then down to the new value in this order.
            Path memsw = memory.resolve("memory.memsw.limit_in_bytes");
            if (Files.exists(memsw)) {
                write(memsw, "-1");
            }
            write(memory.resolve("memory.limit_in_bytes"), memoryBytes == null ? "-1" : Long.toString(memoryBytes));
            if (Files.exists(memsw) && memoryBytes != null) {
                write(memsw, Long.toString(memoryBytes));
            }
        }

        @Override
        public List<Path> folders(String workspace) {
            return List.of(cpuParent.resolve(workspace), memoryParent.resolve(workspace));
        }
    }

    /** No usable cgroup: limits are not enforced. */
    record None(String reason) implements WorkspaceCgroups {
        @Override
        public String description() {
            return "none (" + reason + ")";
        }

        @Override
        public void prepare(String workspace, @Nullable Double cpus, @Nullable Long memoryBytes) {}

        @Override
        public List<Path> folders(String workspace) {
            return List.of();
        }
    }
}
