package io.mlhub.hub.api;

import io.mlhub.hub.HubException;
import io.mlhub.hub.SshInfo;
import io.mlhub.hub.auth.AccountService;
import io.mlhub.hub.auth.CredentialService;
import io.mlhub.hub.config.HubConfig;
import io.mlhub.hub.oauth.OAuthProvider;
import io.mlhub.hub.server.ServerService;
import io.mlhub.hub.spawn.lifecycle.CleanupService;
import io.mlhub.hub.store.HubStore;
import io.mlhub.hub.store.UserRecord;
import org.jspecify.annotations.Nullable;

/** The services the resources call, wired once by the hub server. */
record HubServices(
        HubConfig config,
        HubStore store,
        CredentialService credentials,
        AccountService accounts,
        ServerService servers,
        OAuthProvider oauth,
        Views views,
        @Nullable SshInfo sshInfo,
        CleanupService cleanup) {

    /** Returns the user, or throws 404. */
    UserRecord findUser(String name) {
        return store.users().find(name).orElseThrow(() -> HubException.notFound("No such user: " + name));
    }
}
