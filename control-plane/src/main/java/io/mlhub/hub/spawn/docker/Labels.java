package io.mlhub.hub.spawn.docker;

/** Names of the labels the Docker spawner puts on what it creates. Label values never hold secrets. */
final class Labels {
    /** The hub's name; every container, network and volume of this hub carries it. */
    static final String ORIGIN = "mlhub.origin";
    static final String USER = "mlhub.user";
    /** The server name, {@code ""} for the default server. */
    static final String SERVER_NAME = "mlhub.server_name";
    /** The expiry as an ISO-8601 instant, absent when the workspace never expires. */
    static final String EXPIRES_AT = "mlhub.expires_at";
    /**
     * A SHA-256 digest of the container's settings (image, limits, environment), so that a start reuses a
     * stopped container only when nothing changed. A digest does not reveal the token it covers.
     */
    static final String CONFIG_DIGEST = "mlhub.config_digest";

    private Labels() {}
}
