package io.mlhub.hub.config;

import io.mlhub.hub.auth.InvalidNameException;
import io.mlhub.hub.auth.NameRules;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Shape checks for settings that several places parse. */
final class ConfigRules {
    private static final Pattern HUB_NAME = Pattern.compile("(?![0-9]+$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,3}[A-Za-z0-9])?");
    private static final Pattern BASE_URL = Pattern.compile("/(?:[A-Za-z0-9._~-]+/)*");

    private ConfigRules() {}

    static void checkHubName(String setting, String value) {
        if (!HUB_NAME.matcher(value).matches()) {
            throw ConfigException.invalid(setting, value,
                    "1 to 5 letters, digits or inner hyphens, not all digits");
        }
    }

    static void checkBaseUrl(String setting, String value) {
        if (!BASE_URL.matcher(value).matches()) {
            throw ConfigException.invalid(setting, value, "a path that starts and ends with /, such as /hub-base/");
        }
    }

    static List<String> normaliseUserNames(String setting, List<String> names) {
        List<String> result = new ArrayList<>();
        for (String name : names) {
            try {
                result.add(NameRules.user(name));
            } catch (InvalidNameException e) {
                throw ConfigException.invalid(setting, name, "user names of " + NameRules.MAX_LENGTH
                        + " or fewer ASCII letters, digits, '-', '_' or '.'");
            }
        }
        return List.copyOf(result);
    }
}
