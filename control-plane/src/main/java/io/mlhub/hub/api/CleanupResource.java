package io.mlhub.hub.api;

import io.mlhub.hub.HubException;
import io.mlhub.hub.auth.Caller;
import io.mlhub.hub.spawn.SpawnException;
import io.mlhub.hub.spawn.WorkspaceRef;
import io.mlhub.hub.spawn.lifecycle.CleanupService;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The cleanup service, for administrators: {@code users} removes what the engine still holds for deleted users,
 * {@code expired} removes servers past their {@code days_to_live}. GET works as in the original ML Hub; POST is what
 * the admin page sends, with the XSRF header.
 */
@Path("services/cleanup-service")
@Produces(MediaType.APPLICATION_JSON)
public final class CleanupResource {
    private final HubServices hub;

    CleanupResource(HubServices hub) {
        this.hub = hub;
    }

    @GET
    @Path("users")
    public Map<String, Object> usersGet(@Context ContainerRequestContext request) {
        return users(request);
    }

    @POST
    @Path("users")
    public Map<String, Object> users(@Context ContainerRequestContext request) {
        Caller caller = requireAdmin(request);
        CleanupService.Report report = run(() -> hub.cleanup().removeDeletedUsers());
        hub.store().audit().record(caller.name(), "cleanup.users", "", report.removedUsers().toString());
        return view("Removed the resources of " + report.removedUsers().size() + " deleted users ("
                + report.removed().size() + " workspaces)", report);
    }

    @GET
    @Path("expired")
    public Map<String, Object> expiredGet(@Context ContainerRequestContext request) {
        return expired(request);
    }

    @POST
    @Path("expired")
    public Map<String, Object> expired(@Context ContainerRequestContext request) {
        Caller caller = requireAdmin(request);
        CleanupService.Report report = run(() -> hub.cleanup().removeExpired());
        hub.store().audit().record(caller.name(), "cleanup.expired", "", report.removed().size() + " removed");
        return view("Removed " + report.removed().size() + " expired workspaces", report);
    }

    private static Caller requireAdmin(ContainerRequestContext request) {
        Caller caller = RequestAuth.of(request).require("admin:servers", null, null);
        if (!caller.user().isAdmin()) {
            throw HubException.forbidden("Only administrators may run the cleanup service");
        }
        return caller;
    }

    private interface Cleanup {
        CleanupService.Report run() throws SpawnException;
    }

    private static CleanupService.Report run(Cleanup cleanup) {
        try {
            return cleanup.run();
        } catch (SpawnException e) {
            throw new HubException(502, "The engine failed during cleanup: " + e.getMessage());
        }
    }

    private static Map<String, Object> view(String message, CleanupService.Report report) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("message", message + (report.failures().isEmpty() ? "" : "; " + report.failures().size()
                + " failed, the next run tries again"));
        view.put("removed", report.removed().stream().map(CleanupResource::workspace).toList());
        view.put("removedUsers", report.removedUsers());
        view.put("failures", report.failures());
        return view;
    }

    private static Map<String, String> workspace(WorkspaceRef ref) {
        return Map.of("user", ref.user(), "server", ref.server());
    }
}
