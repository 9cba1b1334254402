package io.mlhub.proxy.http;

/**
 * The user event a server fires through a client connection's pipeline when it stops: the HTTP handlers finish the
 * exchange in progress with {@code Connection: close} and close a connection that waits for its next request.
 */
public record DrainRequested() {
    /** The only instance needed, since the event carries no data. */
    public static final DrainRequested INSTANCE = new DrainRequested();
}
