package io.mlhub.hub.store;

/** A row that would break a unique rule, such as a second user with the same name. */
public final class DuplicateException extends RuntimeException {
    public DuplicateException(String message) {
        super(message);
    }
}
