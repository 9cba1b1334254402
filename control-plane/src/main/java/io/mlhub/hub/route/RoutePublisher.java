package io.mlhub.hub.route;

import java.net.URI;
import java.util.List;

/**
 * Destination of the control plane's workspace routes: the in-process proxy, or a proxy in another process through
 * the configurable-http-proxy REST API. The control plane is the source of truth, so every method replaces what
 * the proxy had, and repeating a call is harmless. Implementations may block; they are called from virtual
 * threads.
 */
public interface RoutePublisher {

    /**
     * Adds or replaces the route of one workspace.
     *
     * @param prefix path prefix with leading and trailing {@code /}, such as {@code /user/alice/lab/}
     * @param target base URI of the workspace's web server, such as {@code http://172.33.1.2:8888}
     * @param user owner of the workspace, for the proxy's edge check
     * @param server server name, {@code ""} for the default server
     */
    void put(String prefix, URI target, String user, String server);

    /** Removes the route at {@code prefix}; removing a route that does not exist does nothing. */
    void remove(String prefix);

    /** Replaces every workspace route the proxy has with {@code routes}, such as after a start or a reconnect. */
    void replaceAll(List<PublishedRoute> routes);

    /** A publisher that publishes nowhere, for a control plane that runs without a proxy. */
    RoutePublisher NONE = new RoutePublisher() {
        @Override
        public void put(String prefix, URI target, String user, String server) {}

        @Override
        public void remove(String prefix) {}

        @Override
        public void replaceAll(List<PublishedRoute> routes) {}
    };
}
