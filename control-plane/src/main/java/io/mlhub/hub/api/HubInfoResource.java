package io.mlhub.hub.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/** Version, info and health endpoints. */
@Path("hub/api")
@Produces(MediaType.APPLICATION_JSON)
public final class HubInfoResource {
    private final HubServices hub;

    HubInfoResource(HubServices hub) {
        this.hub = hub;
    }

    @GET
    public Map<String, Object> version() {
        return Map.of("version", HubApi.JUPYTERHUB_VERSION);
    }

    @GET
    @Path("info")
    public Map<String, Object> info(@Context ContainerRequestContext request) {
        RequestAuth.of(request).require("read:hub", null, null);
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("version", HubApi.JUPYTERHUB_VERSION);
        info.put("python", null);
        info.put("sys_executable", null);
        info.put("spawner", Map.of("class", "io.mlhub.hub.spawn." + hub.servers().engine(),
                "version", HubApi.HUB_VERSION));
        info.put("authenticator", Map.of("class", "io.mlhub.hub.auth.AccountService", "version", HubApi.HUB_VERSION));
        info.put("hub_name", hub.config().hubName());
        return info;
    }

    @GET
    @Path("health")
    public Response health() {
        return Response.ok().build();
    }

    @HEAD
    @Path("health")
    public Response healthHead() {
        return Response.ok().build();
    }
}
