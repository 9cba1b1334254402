package io.mlhub.hub;

import org.jspecify.annotations.Nullable;

/**
 * A request the hub rejects, with the HTTP status and a message fit to show the caller. The API turns it into
 * {@code {"status": ..., "message": ...}}, plus {@code "field"} when the error is about one request field, so that
 * the pages show the message next to that input.
 */
public final class HubException extends RuntimeException {
    private final int status;
    private final @Nullable String field;

    public HubException(int status, String message) {
        this(status, message, null);
    }

    public HubException(int status, String message, @Nullable String field) {
        super(message);
        this.status = status;
        this.field = field;
    }

    public int status() {
        return status;
    }

    /** Returns the request field the error is about, such as {@code mem_limit}, or {@code null}. */
    public @Nullable String field() {
        return field;
    }

    /** Returns a 400 error about one request field. */
    public static HubException badField(String field, String message) {
        return new HubException(400, message, field);
    }

    public static HubException badRequest(String message) {
        return new HubException(400, message);
    }

    public static HubException forbidden(String message) {
        return new HubException(403, message);
    }

    public static HubException notFound(String message) {
        return new HubException(404, message);
    }

    public static HubException conflict(String message) {
        return new HubException(409, message);
    }
}
