package io.mlhub.sshmux;

import java.util.List;

/** Writes the text a user sees after {@code ssh <user>@<hub>} without a jump: how to reach each running workspace. */
final class HelpText {

    private final SshAccess access;

    HelpText(SshAccess access) {
        this.access = access;
    }

    String forUser(String hubUser, List<SshWorkspace> running) {
        StringBuilder text = new StringBuilder();
        text.append("Hello ").append(hubUser).append(". This hub is an SSH jump host to your workspaces,")
                .append(" and it opens no shell itself.\n\n");
        if (running.isEmpty()) {
            appendNoWorkspace(text, hubUser);
        } else {
            appendWorkspaces(text, hubUser, running);
        }
        appendFingerprints(text);
        return text.toString();
    }

    private void appendNoWorkspace(StringBuilder text, String hubUser) {
        text.append("You have no running workspace. Start one on the hub's web page, then connect with\n")
                .append("  ssh -J ").append(access.jumpSpec(hubUser)).append(" <login>@<workspace>\n")
                .append("where <workspace> is ").append(hubUser).append(" for your default workspace and <server>.")
                .append(hubUser).append(" for a named one.\n\n");
    }

    private void appendWorkspaces(StringBuilder text, String hubUser, List<SshWorkspace> running) {
        text.append("Your running workspaces, each with the command that reaches it:\n");
        running.forEach(workspace -> text.append("  ").append(workspace.target().name()).append(": ")
                .append(access.jumpCommand(hubUser, workspace)).append("\n"));

        text.append("\nTo reach them as \"ssh <workspace>\", add this to ~/.ssh/config:\n\n")
                .append(access.configBlock(hubUser, running))
                .append("\nand these lines to ").append(access.knownHostsFile()).append(":\n");
        access.knownHostsLines(running).forEach(line -> text.append(line).append("\n"));
        text.append("\n");
    }

    private void appendFingerprints(StringBuilder text) {
        text.append("Host key fingerprints of this hub:\n");
        access.hubKeys().forEach(key -> text.append("  ").append(key.fingerprint()).append(" (").append(key.type())
                .append(")\n"));
    }
}
