package io.mlhub.hub.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlhub.hub.HubException;
import io.mlhub.hub.auth.Caller;
import io.mlhub.hub.auth.InvalidNameException;
import io.mlhub.hub.auth.NameRules;
import io.mlhub.hub.store.ServerRecord;
import io.mlhub.hub.store.ServerState;
import io.mlhub.hub.store.UserRecord;
import io.mlhub.hub.store.UserStore;
import io.mlhub.hub.store.UserStore.StateFilter;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The users part of the JupyterHub REST API. */
@Path("hub/api")
@Produces(MediaType.APPLICATION_JSON)
public final class UserResource {
    private static final Logger logger = LoggerFactory.getLogger(UserResource.class);
    private static final String PAGINATION = "application/jupyterhub-pagination+json";
    private static final int PAGE_MAX = 200;
    private static final int PAGE_DEFAULT = 50;

    private final HubServices hub;

    UserResource(HubServices hub) {
        this.hub = hub;
    }

    @GET
    @Path("user")
    public Map<String, Object> self(@Context ContainerRequestContext request) {
        Caller caller = RequestAuth.of(request).optionalCaller()
                .orElseThrow(() -> HubException.forbidden("Forbidden"));
        return hub.views().self(caller, servers(caller.user()));
    }

    @GET
    @Path("users")
    @Produces({MediaType.APPLICATION_JSON, PAGINATION})
    public Response list(@Context ContainerRequestContext request, @Context UriInfo uri,
            @HeaderParam("Accept") String accept, @QueryParam("state") String state,
            @QueryParam("name_filter") String nameFilter, @QueryParam("offset") String offsetParam,
            @QueryParam("limit") String limitParam, @QueryParam("sort") String sortParam,
            @QueryParam("authorized") String authorizedParam) {
        Caller caller = RequestAuth.of(request).authenticated();
        if (!caller.scopes().holdsAny("list:users")) {
            throw HubException.forbidden("Action is not authorized with current scopes; requires any of [list:users]");
        }
        boolean paginated = accept != null && accept.contains(PAGINATION);
        int offset = Math.abs(intParam(offsetParam, 0));
        int limit = Math.min(PAGE_MAX, Math.max(1, Math.abs(intParam(limitParam, paginated ? PAGE_DEFAULT : PAGE_MAX))));
        StateFilter filter = stateFilter(state);
        boolean includeStopped = includeStopped(uri);
        UserStore.Sort sort = sortParam == null || sortParam.isEmpty() ? UserStore.Sort.ID
                : UserStore.Sort.parse(sortParam).orElseThrow(() -> HubException.badRequest("sort must be one of "
                        + "name, -name, id, -id, last_activity or -last_activity, not '" + sortParam + "'"));
        Boolean authorized = authorizedFilter(authorizedParam);

        List<UserRecord> users;
        long total;
        if (caller.scopes().holdsUnfiltered("list:users")) {
            users = hub.store().users().list(filter, blankToNull(nameFilter), authorized, sort, offset, limit);
            total = paginated ? hub.store().users().count(filter, blankToNull(nameFilter), authorized)
                    : users.size();
        } else {
            List<UserRecord> visible = visibleUsers(caller, filter, nameFilter);
            total = visible.size();
            users = visible.subList(Math.min(offset, visible.size()), Math.min(offset + limit, visible.size()));
        }
        List<Map<String, Object>> items = userViews(users, caller, includeStopped);
        if (!paginated) {
            return Response.ok(items).type(MediaType.APPLICATION_JSON_TYPE).build();
        }
        return Response.ok(page(items, uri, offset, limit, total)).type(MediaType.APPLICATION_JSON_TYPE).build();
    }

    @POST
    @Path("users")
    public Response createMany(@Context ContainerRequestContext request, String body) {
        Caller caller = RequestAuth.of(request).require("admin:users", null, null);
        ObjectNode json = Json.object(body);
        Json.allowKeys(json, Set.of("usernames", "admin"));
        List<String> raw = Json.textList(json, "usernames");
        if (raw == null || raw.isEmpty()) {
            throw HubException.badField("usernames", "Must specify at least one user to create");
        }
        boolean admin = Boolean.TRUE.equals(Json.bool(json, "admin"));
        Set<String> names = new LinkedHashSet<>();
        for (String name : raw) {
            try {
                names.add(NameRules.user(name));
            } catch (InvalidNameException e) {
                throw HubException.badField("usernames", e.getMessage());
            }
        }
        List<Map<String, Object>> created = new ArrayList<>();
        for (String name : names) {
            if (hub.store().users().find(name).isPresent()) {
                continue;
            }
            created.add(hub.views().user(createUser(caller, name, admin), List.of(), null, false));
        }
        if (created.isEmpty()) {
            throw new HubException(409, "All " + names.size() + " users already exist", "usernames");
        }
        return Response.status(201).entity(created).build();
    }

    @POST
    @Path("users/{name}")
    public Response createOne(@Context ContainerRequestContext request, @PathParam("name") String rawName,
            String body) {
        String name = NameRules.user(rawName);
        Caller caller = RequestAuth.of(request).require("admin:users", name, null);
        ObjectNode json = Json.object(body);
        Json.allowKeys(json, Set.of("admin", "name", "usernames"));
        if (hub.store().users().find(name).isPresent()) {
            throw HubException.conflict("User " + name + " already exists");
        }
        UserRecord user = createUser(caller, name, Boolean.TRUE.equals(Json.bool(json, "admin")));
        return Response.status(201).entity(hub.views().user(user, List.of(), null, false)).build();
    }

    @GET
    @Path("users/{name}")
    public Map<String, Object> get(@Context ContainerRequestContext request, @Context UriInfo uri,
            @PathParam("name") String rawName) {
        String name = NameRules.user(rawName);
        Caller caller = RequestAuth.of(request).requireAny(name, "read:users", "read:users:name", "read:servers",
                "read:users:groups", "read:users:activity", "read:roles:users");
        UserRecord user = hub.findUser(name);
        return hub.views().user(user, servers(user), caller.scopes(), includeStopped(uri));
    }

    @PATCH
    @Path("users/{name}")
    public Map<String, Object> patch(@Context ContainerRequestContext request, @PathParam("name") String rawName,
            String body) {
        String name = NameRules.user(rawName);
        Caller caller = RequestAuth.of(request).require("admin:users", name, null);
        ObjectNode json = Json.object(body);
        Json.allowKeys(json, Set.of("name", "admin", "auth_state", "groups", "roles", "authorized"));
        UserRecord user = hub.findUser(name);
        Boolean admin = Json.bool(json, "admin");
        Boolean authorized = Json.bool(json, "authorized");
        String newName = Json.text(json, "name");
        if (admin != null && admin != user.isAdmin()) {
            hub.store().users().setAdmin(user.id(), admin);
            hub.credentials().invalidate(user.name());
        }
        if (authorized != null && authorized != user.authorized()) {
            hub.store().users().setAuthorized(user.id(), authorized);
            hub.credentials().invalidate(user.name());
        }
        if (newName != null && !NameRules.user(newName).equals(user.name())) {
            rename(user, NameRules.user(newName));
        }
        hub.store().audit().record(caller.name(), "user.update", name, json.toString());
        UserRecord updated = hub.store().users().findById(user.id()).orElseThrow();
        return hub.views().user(updated, servers(updated), null, false);
    }

    @DELETE
    @Path("users/{name}")
    public Response delete(@Context ContainerRequestContext request, @PathParam("name") String rawName) {
        String name = NameRules.user(rawName);
        Caller caller = RequestAuth.of(request).require("delete:users", name, null);
        UserRecord user = hub.findUser(name);
        if (caller.user().id() == user.id()) {
            throw HubException.badRequest("Cannot delete yourself!");
        }
        hub.servers().removeAll(user);
        hub.store().users().delete(user.id());
        hub.credentials().invalidate(name);
        hub.store().audit().record(caller.name(), "user.delete", name, "");
        logger.info("user deleted user={} by={}", name, caller.name());
        return Response.noContent().build();
    }

    private UserRecord createUser(Caller caller, String name, boolean admin) {
        boolean asAdmin = admin || hub.config().adminUsers().contains(name);
        UserRecord user = hub.store().users().create(name, asAdmin, true, null);
        hub.store().audit().record(caller.name(), "user.create", name, "admin=" + asAdmin);
        logger.info("user created user={} admin={} by={}", name, asAdmin, caller.name());
        return user;
    }

    private void rename(UserRecord user, String newName) {
        boolean active = servers(user).stream().anyMatch(s -> s.state() != ServerState.STOPPED);
        if (active) {
            throw HubException.badRequest("Cannot rename " + user.name() + " while a server is running");
        }
        if (hub.store().users().find(newName).isPresent()) {
            throw HubException.badRequest("User " + newName + " already exists");
        }
        hub.store().users().rename(user.id(), newName);
        hub.credentials().invalidate(user.name());
    }

    private List<ServerRecord> servers(UserRecord user) {
        return hub.store().servers().listForUsers(List.of(user.id()));
    }

    private List<Map<String, Object>> userViews(List<UserRecord> users, Caller caller, boolean includeStopped) {
        List<ServerRecord> servers = hub.store().servers().listForUsers(users.stream().map(UserRecord::id).toList());
        List<Map<String, Object>> items = new ArrayList<>();
        for (UserRecord user : users) {
            List<ServerRecord> own = servers.stream().filter(s -> s.userId() == user.id()).toList();
            items.add(hub.views().user(user, own, caller.scopes(), includeStopped));
        }
        return items;
    }

    private List<UserRecord> visibleUsers(Caller caller, StateFilter filter, String nameFilter) {
        List<UserRecord> result = new ArrayList<>();
        for (String target : caller.scopes().filteredTargets("list:users")) {
            String name = target.substring(0, target.indexOf('/'));
            if (nameFilter != null && !name.contains(nameFilter.toLowerCase())) {
                continue;
            }
            hub.store().users().find(name).ifPresent(user -> {
                if (hub.store().users().list(filter, name, 0, PAGE_MAX).stream().anyMatch(u -> u.id() == user.id())) {
                    result.add(user);
                }
            });
        }
        return result;
    }

    private static Map<String, Object> page(List<Map<String, Object>> items, UriInfo uri, int offset, int limit,
            long total) {
        Map<String, Object> pagination = new LinkedHashMap<>();
        pagination.put("offset", offset);
        pagination.put("limit", limit);
        pagination.put("total", total);
        if (offset + items.size() < total) {
            Map<String, Object> next = new LinkedHashMap<>();
            next.put("offset", offset + limit);
            next.put("limit", limit);
            next.put("url", uri.getRequestUriBuilder()
                    .replaceQueryParam("offset", offset + limit)
                    .replaceQueryParam("limit", limit)
                    .build()
                    .toString());
            pagination.put("next", next);
        } else {
            pagination.put("next", null);
        }
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("items", items);
        page.put("_pagination", pagination);
        return page;
    }

    private static int intParam(String value, int defaultValue) {
        if (value == null || value.isEmpty()) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw HubException.badRequest("Invalid argument type, offset and limit must be integers");
        }
    }

    private static StateFilter stateFilter(String state) {
        if (state == null || state.isEmpty()) {
            return StateFilter.ANY;
        }
        return switch (state) {
            case "active" -> StateFilter.ACTIVE;
            case "ready" -> StateFilter.READY;
            case "inactive" -> StateFilter.INACTIVE;
            default -> throw HubException.badRequest("Unrecognized state filter: " + state
                    + " (expected: active, ready or inactive)");
        };
    }

    static boolean includeStopped(UriInfo uri) {
        List<String> values = uri.getQueryParameters().get("include_stopped_servers");
        if (values == null) {
            return false;
        }
        String value = values.isEmpty() ? "" : values.get(0);
        return !value.equals("0") && !value.equalsIgnoreCase("false");
    }

    private static String blankToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    /** Reads the {@code authorized} filter, an addition to JupyterHub's API that lists pending sign-ups. */
    private static @Nullable Boolean authorizedFilter(String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw HubException.badRequest("authorized must be true or false, not '" + value + "'");
        };
    }
}
