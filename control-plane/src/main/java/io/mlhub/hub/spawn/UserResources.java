package io.mlhub.hub.spawn;

import java.util.Set;

/**
 * Engine resources kept per user beside the workspaces themselves, such as Docker networks and volumes, which
 * the cleanup service removes once their user is deleted. Implemented by spawners that create such resources.
 */
public interface UserResources {

    /** Returns the users that own any container, network or volume of this hub on the engine. */
    Set<String> usersWithResources() throws SpawnException;

    /** Removes every container, network and volume of this hub that belongs to {@code user}. */
    void removeUserResources(String user) throws SpawnException;
}
