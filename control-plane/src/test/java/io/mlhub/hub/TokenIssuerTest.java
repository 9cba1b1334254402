package io.mlhub.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlhub.hub.config.HubConfig;
import io.mlhub.hub.testing.RunningHub;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenIssuerTest {
    @TempDir
    Path dir;

    @Test
    void issuedTokenWorksAgainstTheRunningHub() throws Exception {
        HubConfig config = HubConfig.defaults(dir);
        try (RunningHub hub = RunningHub.startWith(config)) {
            hub.client.signupAndToken("admin", "admin-password");

            String token = TokenIssuer.issue(config, "Admin", "from test");

            assertThat(token).matches("[0-9a-f]{32}");
            assertThat(hub.client.get("/hub/api/users", token).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void unknownOrInvalidUserIsAClearError() {
        HubConfig config = HubConfig.defaults(dir);

        assertThatThrownBy(() -> TokenIssuer.issue(config, "ghost", "x"))
                .isInstanceOf(HubException.class)
                .hasMessageContaining("No such user: ghost");
        assertThatThrownBy(() -> TokenIssuer.issue(config, "bad name", "x"))
                .isInstanceOf(HubException.class)
                .hasMessageContaining("invalid user name");
    }
}
