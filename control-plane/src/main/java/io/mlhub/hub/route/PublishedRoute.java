package io.mlhub.hub.route;

import static java.util.Objects.requireNonNull;

import java.net.URI;

/** One workspace route as {@link RoutePublisher#replaceAll} publishes it. */
public record PublishedRoute(String prefix, URI target, String user, String server) {
    public PublishedRoute {
        requireNonNull(prefix, "prefix");
        requireNonNull(target, "target");
        requireNonNull(user, "user");
        requireNonNull(server, "server");
    }
}
