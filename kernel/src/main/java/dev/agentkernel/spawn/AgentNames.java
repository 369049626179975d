package dev.agentkernel.spawn;

import dev.agentkernel.InvalidRequestException;

import java.util.regex.Pattern;

/** Agent names end up in directory listings, logs and (on Kubernetes) pod names, so they are restricted. */
public final class AgentNames {
    public static final String RULE = "1-63 characters: letters, digits, '.', '_' or '-', starting with a letter or digit";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    private AgentNames() {}

    public static String validate(String name) {
        if (name == null || name.isEmpty()) {
            throw new InvalidRequestException("agent name is empty; give SpawnRequest.builder().name(...) " + RULE);
        }
        if (!NAME.matcher(name).matches()) {
            throw new InvalidRequestException("agent name '" + name + "' is invalid; a name is " + RULE);
        }
        return name;
    }
}
