package io.mlhub.hub.spawn;

/** A start, stop or query that the engine rejected or failed; the message is fit to show the user. */
public class SpawnException extends Exception {
    public SpawnException(String message) {
        super(message);
    }

    public SpawnException(String message, Throwable cause) {
        super(message, cause);
    }
}
