package io.mlhub.proxy.chp;

import io.mlhub.proxy.route.Route;
import io.mlhub.proxy.route.RouteTable;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A route table for tests: exact-key storage with longest-prefix matching by whole segments. */
final class SimpleRouteTable implements RouteTable {
    private final Map<String, Route> routes = new ConcurrentHashMap<>();
    private final Map<String, Instant> activity = new ConcurrentHashMap<>();

    /** Returns a stand-in canonical key: one leading slash, and no trailing slash except for the root. */
    static String canonical(String path) {
        if (path.contains("..")) {
            throw new IllegalArgumentException("dot segments are not allowed");
        }
        String withSlash = path.startsWith("/") ? path : "/" + path;
        return withSlash.length() > 1 && withSlash.endsWith("/")
                ? withSlash.substring(0, withSlash.length() - 1)
                : withSlash;
    }

    @Override
    public void put(Route route) {
        routes.put(route.prefix(), route);
        activity.put(route.prefix(), Instant.now());
    }

    @Override
    public boolean remove(String prefix) {
        activity.remove(prefix);
        return routes.remove(prefix) != null;
    }

    @Override
    public Route match(String canonicalPath) {
        for (String path = canonicalPath; ; path = parent(path)) {
            Route route = routes.get(path);
            if (route != null || path.equals("/")) {
                return route;
            }
        }
    }

    @Override
    public Route get(String prefix) {
        return routes.get(prefix);
    }

    @Override
    public Collection<Route> all() {
        return List.copyOf(routes.values());
    }

    @Override
    public void touch(String prefix) {
        activity.computeIfPresent(prefix, (key, old) -> Instant.now());
    }

    @Override
    public Instant lastActivity(String prefix) {
        return activity.get(prefix);
    }

    @Override
    public int size() {
        return routes.size();
    }

    void setLastActivity(String prefix, Instant when) {
        activity.put(prefix, when);
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }
}
