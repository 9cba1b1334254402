package io.mlhub.appliance;

import io.mlhub.hub.spawn.WorkspaceRef;
import io.mlhub.hub.spawn.lifecycle.IdleCuller;
import io.mlhub.proxy.route.Route;
import io.mlhub.proxy.route.RouteTable;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** Feeds the idle culler with the last request the proxy of the same process relayed to each workspace. */
final class RouteActivity implements IdleCuller.ActivitySource {
    private final RouteTable routes;
    private final String hubName;

    RouteActivity(RouteTable routes, String hubName) {
        this.routes = routes;
        this.hubName = hubName;
    }

    @Override
    public Map<WorkspaceRef, Instant> lastActivity() {
        Map<WorkspaceRef, Instant> result = new HashMap<>();
        for (Route route : routes.all()) {
            if (route.user() == null || route.server() == null) {
                continue;
            }
            Instant last = routes.lastActivity(route.prefix());
            if (last != null) {
                result.merge(new WorkspaceRef(hubName, route.user(), route.server()), last,
                        (a, b) -> a.isAfter(b) ? a : b);
            }
        }
        return result;
    }
}
