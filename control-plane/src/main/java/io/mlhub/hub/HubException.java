package io.mlhub.hub;

/**
 * A request the hub rejects, with the HTTP status and a message fit to show the caller. The API turns it into
 * {@code {"status": ..., "message": ...}}.
 */
public final class HubException extends RuntimeException {
    private final int status;

    public HubException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
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
