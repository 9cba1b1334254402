package io.mlhub.benchmarks.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds many SSH sessions open at the same time, each an OpenSSH client running {@code echo open; cat > /dev/null}
 * on the workspace, and counts the ones that fail. A session counts as good when it printed {@code open}, was
 * still connected while every other session had opened, and exited with status 0 after its input closed.
 *
 * <p>At most {@link #OPENING} sessions are in their handshake at once: OpenSSH's sshd drops unauthenticated
 * connections beyond its {@code MaxStartups} (10 by default, which the workspace sshd of the process spawner
 * keeps), so a burst of 200 handshakes measures that setting rather than the jump host.
 */
final class SshSessions {
    private static final Logger logger = LoggerFactory.getLogger(SshSessions.class);
    static final int OPENING = 8;
    private static final Duration OPEN_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(300);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CHILD_EXIT_TIMEOUT = Duration.ofSeconds(10);

    /**
     * The outcome of one run.
     *
     * @param sessions sessions attempted
     * @param failures sessions that did not open, dropped before all had opened, or exited non-zero
     * @param seconds from the first start until every session had opened or failed
     * @param firstError what the first failed session printed, or an empty string
     */
    record Result(int sessions, int failures, double seconds, String firstError) {}

    private SshSessions() {}

    /** Runs {@code count} sessions with {@code command} (the ssh command line without its remote command). */
    static Result run(List<String> command, int count) throws InterruptedException {
        List<String> full = new ArrayList<>(command);
        full.add("echo open; cat > /dev/null");
        Semaphore opening = new Semaphore(OPENING);
        CountDownLatch settled = new CountDownLatch(count);
        List<Session> sessions = new ArrayList<>();
        AtomicReference<String> firstError = new AtomicReference<>("");
        long start = System.nanoTime();

        // Platform threads: a blocked pipe read holds a virtual thread's carrier, and the harness runs on one core.
        ExecutorService readers = Executors.newCachedThreadPool();
        try {
            for (int i = 0; i < count; i++) {
                if (!opening.tryAcquire(OPEN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    break;
                }
                Session session = new Session();
                sessions.add(session);
                try {
                    session.process = new ProcessBuilder(full).redirectErrorStream(true).start();
                } catch (IOException e) {
                    session.fail(firstError, "ssh did not start: " + e.getMessage());
                    opening.release();
                    settled.countDown();
                    continue;
                }
                readers.submit(() -> session.read(opening, settled, firstError));
            }
            boolean allSettled = settled.await(RUN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            double seconds = (System.nanoTime() - start) / 1e9;

            // Every session that opened must still be connected now that all have opened.
            for (Session session : sessions) {
                if (session.opened && !session.process.isAlive()) {
                    session.fail(firstError, "ended before all sessions had opened");
                }
            }
            for (Session session : sessions) {
                session.close();
            }
            long closeDeadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
            for (Session session : sessions) {
                session.awaitExit(closeDeadline, firstError);
            }
            reportLeftChildren(sessions);
            int failures = count - (int) sessions.stream().filter(Session::succeeded).count();
            if (!allSettled) {
                firstError.compareAndSet("", "not every session opened within " + RUN_TIMEOUT.toSeconds() + " s");
            }
            logger.info("ssh sessions count={} failures={} seconds={}", count, failures, Math.round(seconds));
            return new Result(count, failures, seconds, firstError.get());
        } finally {
            // Readers end when the client's output pipe closes, and the clients' children (the ProxyJump
            // ssh -W) hold it open too, so stop every process of each session first.
            for (Session session : sessions) {
                session.kill();
            }
            readers.shutdown();
        }
    }

    /** Logs the child processes (ssh -W) that were still running well after their ssh client had exited. */
    private static void reportLeftChildren(List<Session> sessions) throws InterruptedException {
        long deadline = System.nanoTime() + CHILD_EXIT_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline && countLeftChildren(sessions) > 0) {
            Thread.sleep(200);
        }
        long left = countLeftChildren(sessions);
        if (left > 0) {
            logger.warn("ssh sessions left child processes running after their client ended count={}", left);
        }
    }

    private static long countLeftChildren(List<Session> sessions) {
        return sessions.stream()
                .filter(session -> session.process != null && !session.process.isAlive())
                .flatMap(session -> session.children.stream())
                .filter(ProcessHandle::isAlive)
                .count();
    }

    /** One ssh client process and what it has shown so far. */
    private static final class Session {
        Process process;
        // Captured while the client runs: once it exits, its children belong to init and cannot be found from it.
        volatile List<ProcessHandle> children = List.of();
        volatile boolean opened;
        volatile boolean failed;

        void read(Semaphore opening, CountDownLatch settled, AtomicReference<String> firstError) {
            boolean settledHere = false;
            try {
                BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8));
                String line = output.readLine();
                children = process.descendants().toList();
                if ("open".equals(line)) {
                    opened = true;
                } else {
                    fail(firstError, line == null ? "ssh exited before the session opened" : line);
                }
                settledHere = true;
                opening.release();
                settled.countDown();
                // Drain the rest so that the client does not block on a full pipe.
                while (output.readLine() != null) {
                    // nothing to keep
                }
            } catch (IOException e) {
                if (!settledHere) {
                    fail(firstError, "reading the output of ssh failed: " + e.getMessage());
                }
            } finally {
                if (!settledHere) {
                    opening.release();
                    settled.countDown();
                }
            }
        }

        void fail(AtomicReference<String> firstError, String reason) {
            failed = true;
            firstError.compareAndSet("", reason);
        }

        void close() {
            if (process == null) {
                return;
            }
            try {
                process.getOutputStream().close();
            } catch (IOException e) {
                // the client has already gone; awaitExit counts it
            }
        }

        void awaitExit(long deadline, AtomicReference<String> firstError) throws InterruptedException {
            if (process == null || failed) {
                return;
            }
            long left = Math.max(0, deadline - System.nanoTime());
            if (!process.waitFor(left, TimeUnit.NANOSECONDS)) {
                fail(firstError, "ssh did not exit within " + CLOSE_TIMEOUT.toSeconds() + " s after its input closed");
            } else if (process.exitValue() != 0) {
                fail(firstError, "ssh exited " + process.exitValue());
            }
        }

        boolean succeeded() {
            return opened && !failed;
        }

        /** Kills the client and every process it started, each by PID. */
        void kill() {
            if (process == null) {
                return;
            }
            List<ProcessHandle> tree = new ArrayList<>(children);
            tree.addAll(process.descendants().toList());
            process.destroyForcibly();
            tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        }
    }
}
