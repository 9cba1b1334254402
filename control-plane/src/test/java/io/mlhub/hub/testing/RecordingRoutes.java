package io.mlhub.hub.testing;

import io.mlhub.hub.route.PublishedRoute;
import io.mlhub.hub.route.RoutePublisher;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A route table in memory, which tests read to check what the hub published and to reach workspaces. */
public final class RecordingRoutes implements RoutePublisher {
    private final Map<String, PublishedRoute> routes = new ConcurrentHashMap<>();

    @Override
    public void put(String prefix, URI target, String user, String server) {
        routes.put(prefix, new PublishedRoute(prefix, target, user, server));
    }

    @Override
    public void remove(String prefix) {
        routes.remove(prefix);
    }

    @Override
    public void replaceAll(List<PublishedRoute> all) {
        routes.clear();
        all.forEach(route -> routes.put(route.prefix(), route));
    }

    public Optional<PublishedRoute> get(String prefix) {
        return Optional.ofNullable(routes.get(prefix));
    }

    /** Returns the route with the longest prefix of {@code path}. */
    public Optional<PublishedRoute> match(String path) {
        return routes.values().stream()
                .filter(route -> path.startsWith(route.prefix()) || (path + "/").equals(route.prefix()))
                .max((a, b) -> Integer.compare(a.prefix().length(), b.prefix().length()));
    }

    public int size() {
        return routes.size();
    }
}
