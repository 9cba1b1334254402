package io.mlhub.hub.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NameRulesTest {

    @Test
    void asciiCaseIsFolded() {
        assertThat(NameRules.user("Alice")).isEqualTo("alice");
        assertThat(NameRules.user("john.doe_2")).isEqualTo("john.doe_2");
        assertThat(NameRules.server("Lab-1")).isEqualTo("lab-1");
        assertThat(NameRules.server("")).as("the default server").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " alice", "alice ", "al ice", "-alice", "alice.", "a/b", "a%2fb", "ali\u0307ce",
        "\u0130nci", "stra\u00dfe", "K\u212a", "al\tice", "a@b", "a,b", "..", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
    void ambiguousOrUnsafeNamesAreRejected(String input) {
        assertThatThrownBy(() -> NameRules.user(input))
                .isInstanceOf(InvalidNameException.class)
                .hasMessageStartingWith("invalid user name")
                .hasMessageContaining("expected 1 to 32");
    }

    @Test
    void rejectionShowsControlCharactersEscaped() {
        assertThatThrownBy(() -> NameRules.user("a\nb")).hasMessageContaining("a\\u000ab");
    }
}
