package io.mlhub.hub;

import static java.util.Objects.requireNonNull;

import io.mlhub.hub.auth.CredentialService;
import io.mlhub.hub.auth.NameRules;
import io.mlhub.hub.config.HubConfig;
import io.mlhub.hub.store.Database;
import io.mlhub.hub.store.HubStore;
import io.mlhub.hub.store.UserRecord;

/**
 * Issues an API token for a user straight from the database, as {@code jupyterhub token} does, for the
 * {@code mlhub token <user>} command. The token has all of the user's scopes and does not expire.
 */
public final class TokenIssuer {
    /** H2's error code for a file database that another process has open. */
    private static final int H2_DATABASE_IN_USE = 90020;

    private TokenIssuer() {}

    /**
     * Opens the configured database, creates a token for {@code user} and returns its secret.
     *
     * @throws HubException 404 when the user does not exist, 400 when the name breaks the name rules
     */
    public static String issue(HubConfig config, String user, String note) {
        requireNonNull(config, "config");
        String name;
        try {
            name = NameRules.user(requireNonNull(user, "user"));
        } catch (IllegalArgumentException e) {
            throw HubException.badRequest(e.getMessage());
        }
        try (Database database = openDatabase(config)) {
            HubStore store = HubStore.over(database);
            UserRecord record = store.users().find(name)
                    .orElseThrow(() -> HubException.notFound("No such user: " + name
                            + " (create it with the API or sign up first)"));
            CredentialService credentials = new CredentialService(store, config.sessionMaxAge());
            String secret = credentials.createToken(record, note, null, null).secret();
            store.audit().record(null, "token.create", name, "issued from the command line");
            return secret;
        }
    }

    private static Database openDatabase(HubConfig config) {
        try {
            return Database.open(config.database());
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof java.sql.SQLException sql && sql.getErrorCode() == H2_DATABASE_IN_USE) {
                    throw new HubException(409, "the embedded database " + config.database().jdbcUrl()
                            + " is in use by a running hub; stop it, or create the token with the API "
                            + "(POST /hub/api/users/{name}/tokens)");
                }
            }
            throw e;
        }
    }
}
