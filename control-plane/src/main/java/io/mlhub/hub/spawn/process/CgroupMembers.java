package io.mlhub.hub.spawn.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends the processes listed in the {@code cgroup.procs} files of one workspace's cgroup folders, including those
 * that left the workspace's process tree (such as {@code setsid} or {@code nohup} daemons), which
 * {@link Processes#terminate} cannot find.
 */
final class CgroupMembers {
    private static final Logger logger = LoggerFactory.getLogger(CgroupMembers.class);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(5);
    private static final long POLL_MILLIS = 50;

    private CgroupMembers() {}

    /**
     * Sends SIGTERM to every process in {@code folders}, waits up to {@code grace} for the cgroups to empty,
     * then sends SIGKILL to what is left until they are empty or {@link #KILL_TIMEOUT} has passed. Processes
     * that join meanwhile (forked by a member) get the same signals.
     */
    static void end(List<Path> folders, Duration grace) throws InterruptedException {
        Set<Long> members = read(folders);
        if (members.isEmpty()) {
            return;
        }
        Set<Long> terminated = new HashSet<>();
        Instant deadline = Instant.now().plus(grace);
        while (!members.isEmpty() && Instant.now().isBefore(deadline)) {
            for (long pid : members) {
                if (terminated.add(pid)) {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
                }
            }
            Thread.sleep(POLL_MILLIS);
            members = read(folders);
        }
        if (members.isEmpty()) {
            return;
        }

        logger.info("workspace processes ignored SIGTERM, sending SIGKILL cgroup={} pids={} timeout={}",
                folders.getFirst(), members, grace);
        Instant killDeadline = Instant.now().plus(KILL_TIMEOUT);
        while (!members.isEmpty() && Instant.now().isBefore(killDeadline)) {
            for (long pid : members) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            Thread.sleep(POLL_MILLIS);
            members = read(folders);
        }
    }

    /** Returns the process ids in the folders' {@code cgroup.procs} files, without the hub's own. */
    static Set<Long> read(List<Path> folders) {
        Set<Long> pids = new TreeSet<>();
        for (Path folder : folders) {
            try {
                for (String line : Files.readAllLines(folder.resolve("cgroup.procs"))) {
                    if (!line.isBlank()) {
                        pids.add(Long.parseLong(line.strip()));
                    }
                }
            } catch (NoSuchFileException removed) {
                // The folder is gone, so nothing runs in it.
            } catch (IOException unreadable) {
                logger.debug("workspace cgroup unreadable cgroup={} error={}", folder, unreadable.toString());
            }
        }
        pids.remove(ProcessHandle.current().pid());
        return pids;
    }
}
