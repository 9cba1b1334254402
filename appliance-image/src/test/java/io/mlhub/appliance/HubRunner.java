package io.mlhub.appliance;

import java.util.List;

/** A hub under test that can be started, stopped with SIGTERM, killed with SIGKILL and started again. */
interface HubRunner {
    /** Starts the hub with extra JVM options, such as system properties, on the same data as before. */
    void start(List<String> jvmOptions) throws Exception;

    default void start() throws Exception {
        start(List.of());
    }

    /** Sends SIGKILL to the hub only (not its workspaces) and waits until it is gone. */
    void kill() throws Exception;

    /** Sends SIGTERM and returns the exit code, or -1 when the hub did not stop in time. */
    int terminate() throws Exception;

    boolean isAlive() throws Exception;

    /** Returns the hub's output of every start so far. */
    String log();

    /** Returns the public port on 127.0.0.1. */
    int port();

    /** Stops the hub and removes what it left behind that the test owns. */
    void stopAll() throws Exception;
}
