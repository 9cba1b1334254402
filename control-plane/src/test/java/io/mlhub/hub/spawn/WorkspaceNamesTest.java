package io.mlhub.hub.spawn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WorkspaceNamesTest {
    /** RFC 1123 label, also accepted by Docker for container, network and volume names. */
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private static final List<String> HOSTILE = List.of(
            "", "a", "-", "--", "a-b", "b-c", "a--b", "A", "Alice", "alice", "ALICE", "al.ice", "al_ice",
            "alice@example.org", "../../etc", "a/b", "a b", "x".repeat(300), "Ωμέγα", "\u0000", "-leading",
            "trailing-", "ws", "xn--abc", "🙂", "1", "0123456789");

    @Test
    void plainNamesStayReadable() {
        assertThat(WorkspaceNames.container(new WorkspaceRef("mlhub", "alice", ""))).isEqualTo("ws-mlhub-alice");
        assertThat(WorkspaceNames.container(new WorkspaceRef("mlhub", "alice", "lab"))).isEqualTo("ws-mlhub-alice-lab");
        assertThat(WorkspaceNames.volume(new WorkspaceRef("mlhub", "alice", "lab"))).isEqualTo("vol-mlhub-alice-lab");
        assertThat(WorkspaceNames.network("mlhub", "alice")).isEqualTo("net-mlhub-alice");
    }

    @Test
    void hyphenatedPartsCannotCollide() {
        String first = WorkspaceNames.container(new WorkspaceRef("mlhub", "a-b", "c"));
        String second = WorkspaceNames.container(new WorkspaceRef("mlhub", "a", "b-c"));
        String third = WorkspaceNames.container(new WorkspaceRef("mlhub-a", "b", "c"));

        assertThat(first).isNotEqualTo(second);
        assertThat(first).isNotEqualTo(third);
        assertThat(second).isNotEqualTo(third);
        assertThat(first).startsWith("ws-mlhub-a-b-c--");
    }

    @Test
    void defaultServerDiffersFromNamedServers() {
        String defaultServer = WorkspaceNames.container(new WorkspaceRef("mlhub", "alice", ""));
        String named = WorkspaceNames.container(new WorkspaceRef("mlhub", "alice", "x"));
        String hubWithUser = WorkspaceNames.container(new WorkspaceRef("mlhub", "alice-x", ""));

        assertThat(defaultServer).isNotEqualTo(named);
        assertThat(named).isNotEqualTo(hubWithUser);
    }

    @Test
    void caseVariantsGetDistinctNames() {
        String lower = WorkspaceNames.container(new WorkspaceRef("mlhub", "alice", ""));
        String upper = WorkspaceNames.container(new WorkspaceRef("mlhub", "Alice", ""));

        assertThat(upper).isNotEqualTo(lower);
        assertThat(upper).matches(DNS_LABEL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-", "a-b", "Alice", "al.ice", "../../etc", "a b", "Ωμέγα", "🙂", "xn--abc"})
    void hostileUserGetsValidNames(String user) {
        WorkspaceRef ref = new WorkspaceRef("mlhub", user, "my server!");

        for (String name : List.of(WorkspaceNames.container(ref), WorkspaceNames.volume(ref),
                WorkspaceNames.network("mlhub", user))) {
            assertThat(name).matches(DNS_LABEL);
            assertThat(name.length()).isLessThanOrEqualTo(WorkspaceNames.MAX_LENGTH);
            assertThat(name.substring(2, 4)).as("RFC 5891 reserves '--' at positions 3 and 4").isNotEqualTo("--");
        }
    }

    @Test
    void longNamesAreBoundedAndStillDistinct() {
        String longUser = "u".repeat(200);
        WorkspaceRef first = new WorkspaceRef("mlhub", longUser + "1", "server");
        WorkspaceRef second = new WorkspaceRef("mlhub", longUser + "2", "server");

        assertThat(WorkspaceNames.container(first)).hasSizeLessThanOrEqualTo(WorkspaceNames.MAX_LENGTH);
        assertThat(WorkspaceNames.container(first)).isNotEqualTo(WorkspaceNames.container(second));
    }

    @Test
    void readableNameAtTheLengthLimitIsKept() {
        String user = "u".repeat(WorkspaceNames.MAX_LENGTH - "ws-mlhub-".length());

        assertThat(WorkspaceNames.container(new WorkspaceRef("mlhub", user, ""))).isEqualTo("ws-mlhub-" + user);
        assertThat(WorkspaceNames.container(new WorkspaceRef("mlhub", user + "u", "")))
                .hasSize(WorkspaceNames.MAX_LENGTH)
                .contains("--");
    }

    @Test
    void namesAreDeterministic() {
        WorkspaceRef ref = new WorkspaceRef("mlhub", "Bob.Smith", "GPU box");

        assertThat(WorkspaceNames.container(ref)).isEqualTo(WorkspaceNames.container(
                new WorkspaceRef("mlhub", "Bob.Smith", "GPU box")));
    }

    @Test
    void everyHostileCombinationGetsItsOwnValidName() {
        Map<String, WorkspaceRef> seen = new HashMap<>();

        for (String hub : List.of("mlhub", "a", "a-b", "Hub")) {
            for (String user : HOSTILE) {
                for (String server : HOSTILE) {
                    WorkspaceRef ref = new WorkspaceRef(hub, user, server);
                    String name = WorkspaceNames.container(ref);

                    assertThat(name).as("name of %s", ref).matches(DNS_LABEL);
                    WorkspaceRef previous = seen.put(name, ref);
                    assertThat(previous).as("%s and %s share %s", previous, ref, name).isNull();
                }
            }
        }
    }
}
