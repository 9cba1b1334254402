package io.mlhub.hub.spawn.docker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Recognising the engine's messages for used-up address pools (the current and an older wording). */
class UserNetworksTest {

    @Test
    void exhaustedPoolMessagesRecognised() {
        assertThat(UserNetworks.isPoolExhausted("could not find an available, non-overlapping IPv4 address pool "
                + "among the defaults to assign to the network")).isTrue();
        assertThat(UserNetworks.isPoolExhausted("all predefined address pools have been fully subnetted")).isTrue();
        assertThat(UserNetworks.isPoolExhausted("network with name net-hub-alice already exists")).isFalse();
    }

    @Test
    void exhaustedPoolMessageNamesTheSetting() {
        String message = UserNetworks.poolExhaustedMessage("net-hub-alice", "could not find an available, "
                + "non-overlapping IPv4 address pool among the defaults to assign to the network");

        assertThat(message).contains("net-hub-alice");
        assertThat(message).contains("address pools have no free subnet left");
        assertThat(message).contains("default-address-pools");
        assertThat(message).contains("daemon.json");
        assertThat(message).endsWith("to assign to the network");
    }
}
