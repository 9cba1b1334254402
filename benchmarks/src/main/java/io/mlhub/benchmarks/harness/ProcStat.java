package io.mlhub.benchmarks.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads CPU time and resident memory of a process and its descendants from {@code /proc} (Linux only).
 *
 * <p>Trees matter because several anchors work in child processes: nginx and its workers, sslh's fork per
 * connection, sshd's session processes. A child that exits between two readings takes its CPU time with
 * it, so callers read a tree while its processes are alive (during or right after a run).
 */
final class ProcStat {
    /** Clock ticks per second of utime and stime; {@code getconf CLK_TCK} is 100 on Linux x86-64. */
    static final long TICKS_PER_SECOND = 100;

    private ProcStat() {}

    /** Sum of user and system CPU time of a process and its living descendants, in clock ticks. */
    static long cpuTicks(long rootPid) {
        long ticks = 0;
        for (long pid : tree(rootPid)) {
            String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
            if (stat != null) {
                ticks += cpuTicksOf(stat);
            }
        }
        return ticks;
    }

    /** Sum of the resident set sizes of a process and its living descendants, in KiB. */
    static long rssKib(long rootPid) {
        long kib = 0;
        for (long pid : tree(rootPid)) {
            String status = read(Path.of("/proc", Long.toString(pid), "status"));
            if (status != null) {
                kib += rssKibOf(status);
            }
        }
        return kib;
    }

    /**
     * Returns utime + stime from one line of {@code /proc/PID/stat}. The command name in field 2 is in
     * parentheses and may itself contain spaces and parentheses, so fields are counted from the last ')'.
     */
    static long cpuTicksOf(String statLine) {
        int end = statLine.lastIndexOf(')');
        if (end < 0) {
            throw new IllegalArgumentException("stat line has no ')' after the command name: " + statLine);
        }
        String[] fields = statLine.substring(end + 2).trim().split("\\s+");
        // Field 3 (state) follows the name, and utime and stime are fields 14 and 15.
        return Long.parseLong(fields[14 - 3]) + Long.parseLong(fields[15 - 3]);
    }

    /** Returns the VmRSS value of a {@code /proc/PID/status} text in KiB, or 0 when absent (kernel threads). */
    static long rssKibOf(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.substring("VmRSS:".length()).replace("kB", "").trim());
            }
        }
        return 0;
    }

    /**
     * Returns the number of CPUs of the machine from {@code /proc/cpuinfo}. {@link Runtime#availableProcessors}
     * cannot be used, because it counts only the CPUs this process is pinned to.
     */
    static int machineCpus() {
        String cpuinfo = read(Path.of("/proc/cpuinfo"));
        if (cpuinfo == null) {
            return Runtime.getRuntime().availableProcessors();
        }
        int count = (int) cpuinfo.lines().filter(line -> line.startsWith("processor")).count();
        return Math.max(1, count);
    }

    /** Returns the soft limit on open files of this process (inherited by the servers it starts), or -1. */
    static long openFileLimit() {
        String limits = read(Path.of("/proc/self/limits"));
        if (limits == null) {
            return -1;
        }
        for (String line : limits.split("\n")) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
            }
        }
        return -1;
    }

    /** Returns the system's load averages over 1, 5 and 15 minutes, as {@code /proc/loadavg} shows them. */
    static String loadAverage() {
        String text = read(Path.of("/proc/loadavg"));
        if (text == null) {
            return "unknown";
        }
        String[] fields = text.trim().split("\\s+");
        return fields[0] + " " + fields[1] + " " + fields[2];
    }

    /** Returns the process and its living descendants, found through {@code /proc/PID/task/TID/children}. */
    static List<Long> tree(long rootPid) {
        List<Long> pids = new ArrayList<>();
        pids.add(rootPid);
        for (int i = 0; i < pids.size(); i++) {
            pids.addAll(children(pids.get(i)));
        }
        return pids;
    }

    private static List<Long> children(long pid) {
        List<Long> children = new ArrayList<>();
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        try (var stream = Files.list(tasks)) {
            for (Path task : stream.toList()) {
                String text = read(task.resolve("children"));
                if (text != null && !text.isBlank()) {
                    for (String child : text.trim().split("\\s+")) {
                        children.add(Long.parseLong(child));
                    }
                }
            }
        } catch (NoSuchFileException e) {
            return children;
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + tasks + ": " + e.getMessage(), e);
        }
        return children;
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            // The process exited between listing and reading: it no longer counts.
            return null;
        }
    }
}
