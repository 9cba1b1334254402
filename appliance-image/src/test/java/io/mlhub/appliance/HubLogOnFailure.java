package io.mlhub.appliance;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/** Prints the hub's log when a test of a class that runs one fails. */
final class HubLogOnFailure implements TestWatcher {

    /** A test class that runs a hub process. */
    interface HasHub {
        HubRunner hub();
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        Object instance = context.getTestInstance().orElse(null);
        if (instance instanceof HasHub owner && owner.hub() != null) {
            String log = owner.hub().log();
            int from = Math.max(0, log.length() - 60_000);
            System.err.println("==== hub log (" + context.getDisplayName() + ") ====\n" + log.substring(from));
        }
    }
}
