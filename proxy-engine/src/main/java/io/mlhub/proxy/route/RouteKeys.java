package io.mlhub.proxy.route;

/** The one canonical form of route prefixes and request paths, used both when routes are written and matched. */
public final class RouteKeys {
    private RouteKeys() {}

    /**
     * Returns the canonical form of a route prefix or request path (without query).
     *
     * @throws IllegalArgumentException if the path is malformed or would climb above the root
     */
    public static String canonical(String path) {
        throw new UnsupportedOperationException("not built yet");
    }
}
