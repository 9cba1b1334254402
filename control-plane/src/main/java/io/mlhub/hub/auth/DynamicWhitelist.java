package io.mlhub.hub.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dynamic whitelist: when enabled and its file exists, only the names listed in it may log in. The file contains
 * one name per line; blank lines and lines starting with {@code #} are skipped. Names go through {@link NameRules},
 * so {@code Alice} in the file matches login {@code alice}; a line that breaks the rules is logged and ignored.
 * The file is read again whenever its modification time or size changes. Admins may always log in, so a file
 * that forgets them cannot lock the hub's operators out; each such login is logged.
 */
public final class DynamicWhitelist {
    private static final Logger logger = LoggerFactory.getLogger(DynamicWhitelist.class);

    private final boolean enabled;
    private final Path path;
    private @Nullable Snapshot snapshot;
    private boolean missingLogged;

    private record Snapshot(FileTime modified, long size, Set<String> names) {}

    public DynamicWhitelist(boolean enabled, Path path) {
        this.enabled = enabled;
        this.path = path;
    }

    /** Returns whether {@code user} (already normalised) may log in now. */
    public synchronized boolean allows(String user, boolean admin) {
        if (!enabled) {
            return true;
        }
        Set<String> names = currentNames();
        if (names == null) {
            return true;
        }
        if (names.contains(user)) {
            return true;
        }
        if (admin) {
            logger.info("whitelist does not list admin, login allowed because admins are never locked out "
                    + "user={} file={}", user, path);
            return true;
        }
        logger.info("login rejected by whitelist user={} file={}", user, path);
        return false;
    }

    private @Nullable Set<String> currentNames() {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (IOException e) {
            if (!missingLogged) {
                logger.error("whitelist enabled but its file cannot be read, every user may log in file={} "
                        + "reason={}", path, e.toString());
                missingLogged = true;
            }
            snapshot = null;
            return null;
        }
        missingLogged = false;
        Snapshot current = snapshot;
        if (current != null && current.modified().equals(attributes.lastModifiedTime())
                && current.size() == attributes.size()) {
            return current.names();
        }
        try {
            Set<String> names = parse(Files.readAllLines(path));
            snapshot = new Snapshot(attributes.lastModifiedTime(), attributes.size(), names);
            logger.info("whitelist loaded file={} names={}", path, names.size());
            return names;
        } catch (IOException e) {
            logger.error("whitelist file cannot be read, keeping the previous list file={} reason={}", path,
                    e.toString());
            return current == null ? null : current.names();
        }
    }

    private Set<String> parse(List<String> lines) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                names.add(NameRules.user(line));
            } catch (InvalidNameException e) {
                logger.warn("whitelist line ignored file={} line={} reason={}", path, i + 1, e.getMessage());
            }
        }
        return Set.copyOf(names);
    }
}
