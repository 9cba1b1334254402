package io.mlhub.sshmux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

class SshAccessTest {

    private static final HostKey HUB_KEY = new HostKey("ssh-ed25519", "SHA256:abc", "ssh-ed25519 AAAAhub");

    private final SshAccess access = new SshAccess(
            SshMuxConfig.builder(Path.of("/tmp/hub")).publicAddress("hub.example.org", 443).build(),
            List.of(HUB_KEY));

    @Test
    void jumpCommandNamesHubUserPortAndTarget() {
        WorkspaceAccess info = access.forWorkspace("alice", workspace("lab", List.of()), null);

        assertThat(info.target()).isEqualTo("lab.alice");
        assertThat(info.jumpCommand()).isEqualTo("ssh -J alice@hub.example.org:443 root@lab.alice");
    }

    @Test
    void configBlockJumpsThroughPinnedHub() {
        WorkspaceAccess info = access.forWorkspace("alice", workspace("lab", List.of()), "~/.ssh/id_ed25519");

        assertThat(info.configBlock()).isEqualTo("""
                Host mlhub
                    HostName hub.example.org
                    Port 443
                    User alice
                    HostKeyAlias mlhub
                    UserKnownHostsFile ~/.ssh/known_hosts.mlhub
                    StrictHostKeyChecking yes
                    IdentityFile ~/.ssh/id_ed25519

                Host lab.alice
                    HostName lab.alice
                    Port 22
                    User root
                    ProxyJump mlhub
                    HostKeyAlias lab.alice.mlhub
                    UserKnownHostsFile ~/.ssh/known_hosts.mlhub
                    StrictHostKeyChecking accept-new
                    IdentityFile ~/.ssh/id_ed25519
                """);
        assertThat(info.knownHostsLines()).containsExactly("mlhub ssh-ed25519 AAAAhub");
    }

    @Test
    void knownWorkspaceKeyIsPinnedToo() {
        WorkspaceAccess info = access.forWorkspace("alice", workspace("", List.of("ssh-ed25519 AAAAws")), null);

        assertThat(info.knownHostsLines()).containsExactly("mlhub ssh-ed25519 AAAAhub",
                "alice.mlhub ssh-ed25519 AAAAws");
        assertThat(info.configBlock()).doesNotContain("accept-new");
    }

    @Test
    void hubKnownHostsLineUsesBracketedPort() {
        assertThat(access.hubKnownHostsLines()).containsExactly("[hub.example.org]:443 ssh-ed25519 AAAAhub");
    }

    @Test
    void identityFileWithShellCharactersIsRejected() {
        assertThatThrownBy(() -> access.forWorkspace("alice", workspace("", List.of()), "key; rm -rf ~"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("identityFile: key; rm -rf ~");
    }

    @Test
    void hostKeyWithLineBreakIsRejected() {
        assertThatThrownBy(() -> workspace("", List.of("ssh-ed25519 AAAA\nevil.host ssh-ed25519 BBBB")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("hostKeys: ");
    }

    @Test
    void shellQuotingSurvivesSingleQuote() {
        assertThat(SshAccess.quote("it's")).isEqualTo("'it'\\''s'");
    }

    private static SshWorkspace workspace(String server, List<String> hostKeys) {
        return new SshWorkspace(new SshTarget("alice", server), "root", hostKeys);
    }
}
