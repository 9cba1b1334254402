package io.mlhub.sshmux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

class HelpTextTest {

    private final HelpText helpText = new HelpText(new SshAccess(
            SshMuxConfig.builder(Path.of("/tmp/hub")).publicAddress("hub.example.org", 443).build(),
            List.of(new HostKey("ssh-ed25519", "SHA256:abc", "ssh-ed25519 AAAAhub"))));

    @Test
    void listsEachWorkspaceWithItsCommand() {
        String text = helpText.forUser("alice", List.of(
                new SshWorkspace(SshTarget.defaultServer("alice"), "root", List.of()),
                new SshWorkspace(SshTarget.namedServer("alice", "lab"), "jovyan", List.of())));

        assertThat(text).contains("  alice: ssh -J alice@hub.example.org:443 root@alice\n");
        assertThat(text).contains("  lab.alice: ssh -J alice@hub.example.org:443 jovyan@lab.alice\n");
        assertThat(text).containsOnlyOnce("Host mlhub\n");
        assertThat(text).contains("Host alice\n").contains("Host lab.alice\n");
        assertThat(text).contains("and these lines to ~/.ssh/known_hosts.mlhub:\nmlhub ssh-ed25519 AAAAhub\n");
        assertThat(text).endsWith("Host key fingerprints of this hub:\n  SHA256:abc (ssh-ed25519)\n");
    }

    @Test
    void noWorkspaceExplainsNaming() {
        String text = helpText.forUser("alice", List.of());

        assertThat(text).contains("You have no running workspace");
        assertThat(text).contains("ssh -J alice@hub.example.org:443 <login>@<workspace>");
        assertThat(text).contains("alice for your default workspace and <server>.alice for a named one");
        assertThat(text).doesNotContain("Host mlhub");
    }
}
