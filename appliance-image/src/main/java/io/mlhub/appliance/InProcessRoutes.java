package io.mlhub.appliance;

import io.mlhub.hub.route.PublishedRoute;
import io.mlhub.hub.route.RoutePublisher;
import io.mlhub.proxy.route.Route;
import io.mlhub.proxy.route.RouteKeys;
import io.mlhub.proxy.route.RouteTable;
import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Publishes the control plane's workspace routes straight into the proxy's route table of the same process.
 * Routes without an owner (the hub's own) are never touched by {@link #replaceAll}.
 */
final class InProcessRoutes implements RoutePublisher {
    private final RouteTable routes;

    InProcessRoutes(RouteTable routes) {
        this.routes = routes;
    }

    @Override
    public void put(String prefix, URI target, String user, String server) {
        routes.put(new Route(RouteKeys.canonical(prefix), target, user, server, Map.of()));
    }

    @Override
    public void remove(String prefix) {
        routes.remove(RouteKeys.canonical(prefix));
    }

    @Override
    public void replaceAll(List<PublishedRoute> published) {
        Set<String> wanted = new HashSet<>();
        for (PublishedRoute route : published) {
            String key = RouteKeys.canonical(route.prefix());
            wanted.add(key);
            routes.put(new Route(key, route.target(), route.user(), route.server(), Map.of()));
        }
        for (Route existing : List.copyOf(routes.all())) {
            if (existing.user() != null && !wanted.contains(existing.prefix())) {
                routes.remove(existing.prefix());
            }
        }
    }
}
