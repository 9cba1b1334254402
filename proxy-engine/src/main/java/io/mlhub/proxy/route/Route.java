package io.mlhub.proxy.route;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One entry of the route table: requests whose path starts with {@code prefix} (whole segments) go to
 * {@code target}.
 *
 * @param prefix canonical path prefix, as returned by {@link RouteKeys#canonical(String)}
 * @param target upstream base URI, {@code http://host:port} with an optional path
 * @param user hub user that owns the workspace behind this route, or {@code null} for routes with no owner
 *     (the hub itself), which skip the edge check
 * @param server server name of that workspace ({@code ""} for the default server), or {@code null}
 * @param data free-form data stored with the route and returned by the route API
 */
public record Route(String prefix, URI target, @Nullable String user, @Nullable String server, Map<String, Object> data) {
    public Route {
        requireNonNull(prefix, "prefix");
        requireNonNull(target, "target");
        data = Map.copyOf(requireNonNull(data, "data"));
    }
}
