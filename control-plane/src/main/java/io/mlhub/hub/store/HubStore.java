package io.mlhub.hub.store;

/** The hub's stores over one database. */
public record HubStore(
        Database database,
        UserStore users,
        ServerStore servers,
        TokenStore tokens,
        SshKeyStore sshKeys,
        OAuthStore oauth,
        AuditLog audit) {

    /** Creates every store over {@code database}. */
    public static HubStore over(Database database) {
        return new HubStore(database, new UserStore(database), new ServerStore(database), new TokenStore(database),
                new SshKeyStore(database), new OAuthStore(database), new AuditLog(database));
    }
}
