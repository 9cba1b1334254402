package io.mlhub.hub.auth;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * An expanded set of JupyterHub scopes, such as {@code admin:users} or {@code servers!user=alice}.
 *
 * <p>A scope without a filter applies to everything. {@code !user=<name>} limits it to one user and that user's
 * servers, and {@code !server=<user>/<server>} to one server. Parent scopes are expanded into their sub-scopes
 * as in JupyterHub 3.0, so checks look for the exact scope an endpoint needs.
 */
public final class Scopes {
    /** Scopes of the {@code admin} role, as in JupyterHub 3.0. */
    public static final List<String> ADMIN_ROLE = List.of("admin-ui", "admin:users", "admin:servers", "tokens",
            "admin:groups", "list:services", "read:services", "read:hub", "proxy", "shutdown", "access:services",
            "access:servers", "read:roles", "read:metrics");

    /** Scopes the {@code self} scope of the {@code user} role expands to, before the owner filter. */
    private static final List<String> SELF = List.of("read:users", "read:users:name", "read:users:groups",
            "users:activity", "read:users:activity", "servers", "delete:servers", "read:servers", "tokens",
            "read:tokens", "access:servers");

    private static final Map<String, List<String>> SUBSCOPES = Map.ofEntries(
            Map.entry("admin:users", List.of("admin:auth_state", "users", "read:roles:users", "delete:users")),
            Map.entry("users", List.of("read:users", "list:users", "users:activity")),
            Map.entry("read:users", List.of("read:users:name", "read:users:groups", "read:users:activity")),
            Map.entry("admin:servers", List.of("admin:server_state", "servers")),
            Map.entry("servers", List.of("read:servers", "delete:servers")),
            Map.entry("tokens", List.of("read:tokens")),
            Map.entry("read:roles", List.of("read:roles:users", "read:roles:services", "read:roles:groups")),
            Map.entry("admin:groups", List.of("groups", "delete:groups")),
            Map.entry("groups", List.of("read:groups", "list:groups")),
            Map.entry("read:groups", List.of("read:groups:name")),
            Map.entry("read:services", List.of("read:services:name")));

    private static final Set<String> LEAVES = Set.of("admin:auth_state", "read:roles:users", "delete:users",
            "list:users", "users:activity", "read:users:name", "read:users:groups", "read:users:activity",
            "admin:server_state", "read:servers", "delete:servers", "read:tokens", "read:roles:services",
            "read:roles:groups", "delete:groups", "list:groups", "read:groups:name", "admin-ui", "list:services",
            "read:services:name", "read:hub", "proxy", "shutdown", "access:services", "access:servers",
            "read:metrics", "self", "inherit");

    private final Set<String> scopes;

    private Scopes(Set<String> scopes) {
        this.scopes = Set.copyOf(scopes);
    }

    /** Returns the scopes of a user's roles: {@code user}, plus {@code admin} for admins. */
    public static Scopes ofUser(String user, boolean admin) {
        Set<String> result = new TreeSet<>();
        for (String scope : SELF) {
            expandInto(scope + "!user=" + user, result);
        }
        if (admin) {
            ADMIN_ROLE.forEach(scope -> expandInto(scope, result));
        }
        return new Scopes(result);
    }

    /** Returns the scopes of a server's own token: activity reports and access to that server. */
    public static Scopes ofServer(String user, String server) {
        return parse(List.of("users:activity!user=" + user, "access:servers!server=" + user + "/" + server,
                "read:users:name!user=" + user, "read:users:groups!user=" + user), user, null);
    }

    /**
     * Expands scope names, resolving bare {@code !user} and {@code !server} filters to {@code owner} and
     * {@code ownerServer}.
     *
     * @throws IllegalArgumentException naming the first unknown scope or filter
     */
    public static Scopes parse(Collection<String> names, String owner, @Nullable String ownerServer) {
        Set<String> result = new TreeSet<>();
        for (String name : names) {
            expandInto(resolveBareFilter(name, owner, ownerServer), result);
        }
        return new Scopes(result);
    }

    /** Returns whether {@code scope} applies to all users and servers, or to {@code user} or its {@code server}. */
    public boolean allows(String scope, @Nullable String user, @Nullable String server) {
        if (scopes.contains(scope)) {
            return true;
        }
        if (user != null && scopes.contains(scope + "!user=" + user)) {
            return true;
        }
        return user != null && server != null && scopes.contains(scope + "!server=" + user + "/" + server);
    }

    /** Returns whether the scope is held with any filter or none. */
    public boolean holdsAny(String scope) {
        return scopes.stream().anyMatch(s -> s.equals(scope) || s.startsWith(scope + "!"));
    }

    /** Returns whether the scope is held without a filter. */
    public boolean holdsUnfiltered(String scope) {
        return scopes.contains(scope);
    }

    /** Returns the scopes of this set that {@code owner} also holds, the filters included. */
    public Scopes intersect(Scopes owner) {
        Set<String> result = new TreeSet<>();
        for (String scope : scopes) {
            if (owner.covers(scope)) {
                result.add(scope);
            }
        }
        return new Scopes(result);
    }

    /** Returns whether every scope of {@code other} is covered by this set. */
    public boolean coversAll(Scopes other) {
        return other.scopes.stream().allMatch(this::covers);
    }

    /** Returns the expanded scopes in sorted order, as JupyterHub lists them. */
    public List<String> sorted() {
        return List.copyOf(new TreeSet<>(scopes));
    }

    /** Returns the users named by {@code !user=} or {@code !server=} filters on {@code scope}. */
    public Set<String> filteredTargets(String scope) {
        Set<String> result = new TreeSet<>();
        for (String s : scopes) {
            if (s.startsWith(scope + "!user=")) {
                result.add(s.substring(scope.length() + 6) + "/*");
            } else if (s.startsWith(scope + "!server=")) {
                result.add(s.substring(scope.length() + 8));
            }
        }
        return result;
    }

    private boolean covers(String scope) {
        int bang = scope.indexOf('!');
        if (bang < 0) {
            return scopes.contains(scope);
        }
        String base = scope.substring(0, bang);
        String filter = scope.substring(bang + 1);
        if (scopes.contains(base) || scopes.contains(scope)) {
            return true;
        }
        if (filter.startsWith("server=")) {
            String target = filter.substring(7);
            int slash = target.indexOf('/');
            return slash > 0 && scopes.contains(base + "!user=" + target.substring(0, slash));
        }
        return false;
    }

    private static String resolveBareFilter(String name, String owner, @Nullable String ownerServer) {
        if (name.endsWith("!user")) {
            return name + "=" + owner;
        }
        if (name.endsWith("!server")) {
            if (ownerServer == null) {
                throw new IllegalArgumentException("scope " + name + " needs a server");
            }
            return name + "=" + owner + "/" + ownerServer;
        }
        return name;
    }

    private static void expandInto(String scope, Set<String> result) {
        int bang = scope.indexOf('!');
        String base = bang < 0 ? scope : scope.substring(0, bang);
        String filter = bang < 0 ? "" : scope.substring(bang);
        checkFilter(scope, filter);
        if (!SUBSCOPES.containsKey(base) && !LEAVES.contains(base)) {
            throw new IllegalArgumentException("unknown scope " + scope);
        }
        Deque<String> pending = new ArrayDeque<>(List.of(base));
        while (!pending.isEmpty()) {
            String next = pending.pop();
            if (result.add(next + filter)) {
                pending.addAll(SUBSCOPES.getOrDefault(next, List.of()));
            }
        }
    }

    private static void checkFilter(String scope, String filter) {
        if (filter.isEmpty()) {
            return;
        }
        if (filter.startsWith("!user=")) {
            NameRules.user(filter.substring(6));
            return;
        }
        if (filter.startsWith("!server=")) {
            String target = filter.substring(8);
            int slash = target.indexOf('/');
            if (slash > 0) {
                NameRules.user(target.substring(0, slash));
                NameRules.server(target.substring(slash + 1));
                return;
            }
        }
        throw new IllegalArgumentException("unknown filter in scope " + scope);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Scopes other && scopes.equals(other.scopes);
    }

    @Override
    public int hashCode() {
        return scopes.hashCode();
    }

    @Override
    public String toString() {
        return String.join(" ", sorted());
    }
}
