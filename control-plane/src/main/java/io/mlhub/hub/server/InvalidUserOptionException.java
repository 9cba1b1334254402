package io.mlhub.hub.server;

import static java.util.Objects.requireNonNull;

/**
 * A {@code user_options} field that an {@link OptionsValidator} rejected; the API answers 400 with the field name in
 * the error body.
 */
public final class InvalidUserOptionException extends IllegalArgumentException {
    private final String field;

    public InvalidUserOptionException(String field, String message) {
        super(message);
        this.field = requireNonNull(field, "field");
    }

    /** Returns the rejected field, such as {@code mem_limit}. */
    public String field() {
        return field;
    }
}
