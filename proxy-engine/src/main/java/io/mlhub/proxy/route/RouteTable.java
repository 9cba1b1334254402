package io.mlhub.proxy.route;

import java.time.Instant;
import java.util.Collection;
import org.jspecify.annotations.Nullable;

/**
 * The proxy's routes. Writers are the route API and the in-process control plane; readers are the
 * event loops that serve requests, so implementations are safe for concurrent use and lookups do not
 * block.
 */
public interface RouteTable {

    /** Adds or replaces the route for {@code route.prefix()}, which must already be canonical. */
    void put(Route route);

    /** Removes the route for a canonical prefix. Returns whether there was one. */
    boolean remove(String prefix);

    /** Returns the route with the longest prefix that matches the canonical request path, or {@code null}. */
    @Nullable Route match(String canonicalPath);

    /** Returns the route stored for exactly this canonical prefix, or {@code null}. */
    @Nullable Route get(String prefix);

    /** Returns every route, in no particular order. */
    Collection<Route> all();

    /** Records traffic on a route now; cheap enough to call once per request or websocket frame batch. */
    void touch(String prefix);

    /** Returns the last time traffic crossed the route, or when it was added if none has. */
    @Nullable Instant lastActivity(String prefix);

    /** Returns the number of routes. */
    int size();
}
