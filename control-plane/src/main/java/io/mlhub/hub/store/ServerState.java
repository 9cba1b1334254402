package io.mlhub.hub.store;

/** Life cycle of a server record. */
public enum ServerState {
    /** Nothing runs; the record keeps the options for the next start. */
    STOPPED,
    /** A start is in progress. */
    SPAWNING,
    /** The workspace responds and its route is published. */
    RUNNING,
    /** A stop is in progress. */
    STOPPING
}
