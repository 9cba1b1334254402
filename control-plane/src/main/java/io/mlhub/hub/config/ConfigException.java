package io.mlhub.hub.config;

/**
 * A setting that is missing, malformed or out of range. The message is one line that names the setting,
 * the value and what is accepted, so start-up can print it and stop.
 */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    /** Returns the error for {@code setting=value}, saying what is accepted instead. */
    public static ConfigException invalid(String setting, Object value, String accepted) {
        return new ConfigException("invalid setting " + setting + "=" + value + " (expected: " + accepted + ")");
    }
}
