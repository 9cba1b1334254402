package io.mlhub.appliance;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder for the {@code token} subcommand until its module is wired in. */
@Command(name = "token", description = "Not available in this build yet.")
final class TokenCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("mlhub token: not available in this build yet");
        return 2;
    }
}
