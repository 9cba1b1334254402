package io.mlhub.hub.auth;

/** A user or server name that breaks {@link NameRules}; the message names the value and the rule. */
public final class InvalidNameException extends IllegalArgumentException {
    public InvalidNameException(String message) {
        super(message);
    }
}
