package io.mlhub.hub.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlhub.hub.HubException;
import io.mlhub.hub.auth.Caller;
import io.mlhub.hub.auth.NameRules;
import io.mlhub.hub.auth.SshPublicKey;
import io.mlhub.hub.store.SshKeyRecord;
import io.mlhub.hub.store.UserRecord;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A user's SSH public keys, which log them in at the hub's SSH port. Keys are credentials, so reading them needs
 * {@code read:tokens} and changing them needs {@code tokens} on that user.
 */
@Path("hub/api")
@Produces(MediaType.APPLICATION_JSON)
public final class SshKeyResource {
    private final HubServices hub;

    SshKeyResource(HubServices hub) {
        this.hub = hub;
    }

    @GET
    @Path("users/{name}/ssh-keys")
    public List<Map<String, Object>> list(@Context ContainerRequestContext request, @PathParam("name") String raw) {
        String name = NameRules.user(raw);
        RequestAuth.of(request).require("read:tokens", name, null);
        UserRecord user = hub.findUser(name);
        return hub.store().sshKeys().list(user.id()).stream().map(SshKeyResource::view).toList();
    }

    @POST
    @Path("users/{name}/ssh-keys")
    public Response add(@Context ContainerRequestContext request, @PathParam("name") String raw, String body) {
        String name = NameRules.user(raw);
        Caller caller = RequestAuth.of(request).require("tokens", name, null);
        UserRecord user = hub.findUser(name);
        ObjectNode json = Json.object(body);
        Json.allowKeys(json, Set.of("key", "comment"));
        SshPublicKey key;
        try {
            key = SshPublicKey.parse(Json.text(json, "key"));
        } catch (IllegalArgumentException e) {
            throw HubException.badField("key", e.getMessage());
        }
        String comment = json.has("comment") ? Json.text(json, "comment") : key.comment();
        SshKeyRecord record = hub.store().sshKeys().add(user.id(), key.type(), key.key(),
                comment == null ? "" : comment, key.fingerprint());
        hub.store().audit().record(caller.name(), "ssh-key.add", name, key.fingerprint());
        hub.servers().updateSshKeys(user);
        return Response.status(201).entity(view(record)).build();
    }

    @DELETE
    @Path("users/{name}/ssh-keys/{id}")
    public Response delete(@Context ContainerRequestContext request, @PathParam("name") String raw,
            @PathParam("id") String id) {
        String name = NameRules.user(raw);
        Caller caller = RequestAuth.of(request).require("tokens", name, null);
        UserRecord user = hub.findUser(name);
        if (!hub.store().sshKeys().delete(user.id(), id)) {
            throw HubException.notFound("No such SSH key " + id + " for user " + name);
        }
        hub.store().audit().record(caller.name(), "ssh-key.delete", name, id);
        hub.servers().updateSshKeys(user);
        return Response.noContent().build();
    }

    private static Map<String, Object> view(SshKeyRecord key) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", Long.toString(key.id()));
        view.put("key_type", key.keyType());
        view.put("key", key.publicKey());
        view.put("public_key", key.publicKey());
        view.put("comment", key.comment());
        view.put("fingerprint", key.fingerprint());
        view.put("created", Json.time(key.created()));
        return view;
    }
}
