package io.mlhub.hub.spawn.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlhub.hub.spawn.docker.HubContainerDetector.HubContainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HubContainerDetectorTest {
    private static final String ID = "1ab937ddeff55c2c03b0245e9f652d966a27ccf3e3546fad7f842f67581d8a3a";
    private static final String OTHER_ID = "9f00c1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e";

    @TempDir
    Path root;

    @Test
    void mountinfoNamesContainer() throws IOException {
        write("proc/self/mountinfo", String.join("\n",
                "75 60 0:52 / / rw,relatime master:1 - overlay overlay rw",
                "92 75 254:0 /var/lib/docker/containers/" + ID + "/resolv.conf /etc/resolv.conf rw - ext4 /dev/vda rw",
                "93 75 254:0 /var/lib/docker/containers/" + ID + "/hostname /etc/hostname rw - ext4 /dev/vda rw",
                ""));

        assertThat(HubContainerDetector.candidateIds(root, Map.of())).containsExactly(ID);
    }

    @Test
    void hostMountsOfOtherContainersIgnored() throws IOException {
        write("proc/self/mountinfo", "301 29 0:61 / /var/lib/docker/containers/" + OTHER_ID
                + "/mounts/shm rw,nosuid - tmpfs shm rw,size=65536k\n");
        write("proc/self/cgroup", "9:name=systemd:/\n8:pids:/\n0::/user.slice\n");

        assertThat(HubContainerDetector.candidateIds(root, Map.of("HOSTNAME", "vm"))).isEmpty();
    }

    @Test
    void cgroupPathsNameContainer() throws IOException {
        write("proc/self/cgroup", "9:name=systemd:/docker/" + ID + "\n8:pids:/docker/" + ID + "\n");
        assertThat(HubContainerDetector.candidateIds(root, Map.of())).containsExactly(ID);

        write("proc/self/cgroup", "0::/system.slice/docker-" + OTHER_ID + ".scope\n");
        assertThat(HubContainerDetector.candidateIds(root, Map.of())).containsExactly(OTHER_ID);
    }

    @Test
    void hostnameCountsOnlyWithDockerenv() throws IOException {
        Map<String, String> env = Map.of("HOSTNAME", ID.substring(0, 12));
        assertThat(HubContainerDetector.candidateIds(root, env)).isEmpty();

        write(".dockerenv", "");
        assertThat(HubContainerDetector.candidateIds(root, env)).containsExactly(ID.substring(0, 12));
        assertThat(HubContainerDetector.candidateIds(root, Map.of("HOSTNAME", "mlhub"))).isEmpty();
    }

    @Test
    void candidatesKeepOrderWithoutDuplicates() throws IOException {
        write(".dockerenv", "");
        write("proc/self/mountinfo", "93 75 254:0 /var/lib/docker/containers/" + ID
                + "/hostname /etc/hostname rw - ext4 /dev/vda rw\n");
        write("proc/self/cgroup", "8:pids:/docker/" + ID + "\n");

        assertThat(HubContainerDetector.candidateIds(root, Map.of("HOSTNAME", "abcdef012345")))
                .containsExactly(ID, "abcdef012345");
    }

    @Test
    void confirmTakesFirstContainerFound() {
        List<String> requested = new ArrayList<>();
        Optional<HubContainer> found = HubContainerDetector.confirm(List.of(OTHER_ID, ID.substring(0, 12)),
                idOrName -> {
                    requested.add(idOrName);
                    if (idOrName.equals(OTHER_ID)) {
                        return Optional.empty();
                    }
                    return Optional.of(new HubContainer(ID, "mlhub", false));
                });

        assertThat(found).contains(new HubContainer(ID, "mlhub", false));
        assertThat(requested).containsExactly(OTHER_ID, ID.substring(0, 12));
    }

    @Test
    void confirmRejectsContainerWithOtherId() {
        Optional<HubContainer> found = HubContainerDetector.confirm(List.of(ID),
                idOrName -> Optional.of(new HubContainer(OTHER_ID, "someone-else", false)));

        assertThat(found).isEmpty();
    }

    @Test
    void confirmTreatsHostNetworkAsHost() {
        Optional<HubContainer> found = HubContainerDetector.confirm(List.of(ID),
                idOrName -> Optional.of(new HubContainer(ID, "mlhub", true)));

        assertThat(found).isEmpty();
    }

    @Test
    void confirmSurvivesEngineErrors() {
        Optional<HubContainer> found = HubContainerDetector.confirm(List.of(OTHER_ID, ID), idOrName -> {
            if (idOrName.equals(OTHER_ID)) {
                throw new IOException("connection refused");
            }
            return Optional.of(new HubContainer(ID, "mlhub", false));
        });

        assertThat(found.map(HubContainer::name)).contains("mlhub");
    }

    private void write(String relative, String text) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
