package io.mlhub.hub.store;

import java.sql.SQLException;
import java.util.function.Supplier;
import org.jdbi.v3.core.statement.StatementException;

/** Turns unique-rule violations, SQLSTATE 23505 in both H2 and PostgreSQL, into {@link DuplicateException}. */
final class SqlErrors {
    private static final String UNIQUE_VIOLATION = "23505";

    private SqlErrors() {}

    static <T> T uniquely(String duplicateMessage, Supplier<T> action) {
        try {
            return action.get();
        } catch (StatementException e) {
            if (isUniqueViolation(e)) {
                throw new DuplicateException(duplicateMessage);
            }
            throw e;
        }
    }

    private static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
