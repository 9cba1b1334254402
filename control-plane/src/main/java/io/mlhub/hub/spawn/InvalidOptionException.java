package io.mlhub.hub.spawn;

import static java.util.Objects.requireNonNull;

/**
 * A workspace option the user sent that is invalid or over a configured maximum. The API maps it to
 * {@code 400 Bad Request}; {@link #getMessage()} starts with the field name and is fit to show the user.
 */
public final class InvalidOptionException extends Exception {
    private final String field;

    public InvalidOptionException(String field, String problem) {
        super(requireNonNull(field, "field") + ": " + requireNonNull(problem, "problem"));
        this.field = field;
    }

    /** Returns the {@code user_options} field name, such as {@code mem_limit}. */
    public String field() {
        return field;
    }
}
