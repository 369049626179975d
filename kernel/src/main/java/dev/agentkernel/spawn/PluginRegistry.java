package dev.agentkernel.spawn;

import dev.agentkernel.AgentTypePlugin;
import dev.agentkernel.ConfigException;
import dev.agentkernel.InvalidRequestException;
import dev.agentkernel.SpawnInfo;
import dev.agentkernel.SpawnRequest;
import dev.agentkernel.UnknownAgentTypeException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The agent types a kernel knows, and the checks that a spawn request fits its type. */
public final class PluginRegistry {
    private final Map<String, AgentTypePlugin> plugins = new LinkedHashMap<>();

    public PluginRegistry(List<AgentTypePlugin> list) {
        for (AgentTypePlugin p : list) {
            if (p == null) throw new ConfigException("a plugin passed to the kernel is null");
            if (plugins.putIfAbsent(p.agentType(), p) != null) {
                throw new ConfigException("two plugins are registered for agent type '" + p.agentType() + "'; register each type once");
            }
        }
    }

    public List<String> types() { return List.copyOf(plugins.keySet()); }

    public AgentTypePlugin require(String agentType) {
        AgentTypePlugin p = plugins.get(agentType);
        if (p == null) {
            throw new UnknownAgentTypeException("unknown agent type '" + agentType + "'; registered types: "
                    + (plugins.isEmpty() ? "(none — pass a plugin, e.g. AgentKernel.local(new OpenClawPlugin()))" : String.join(", ", plugins.keySet())));
        }
        return p;
    }

    /** The plugin for the request, after checking the spawn info is the class that plugin takes. */
    public AgentTypePlugin forRequest(SpawnRequest request) {
        AgentTypePlugin plugin = require(request.agentType());
        SpawnInfo info = request.spawnInfo();
        Class<? extends SpawnInfo> expected = plugin.spawnInfoType();
        if (info == null) {
            throw new InvalidRequestException("SpawnRequest.spawnInfo is missing; agent type '" + request.agentType()
                    + "' needs a " + expected.getSimpleName());
        }
        if (!expected.isInstance(info)) {
            throw new InvalidRequestException("agent type '" + request.agentType() + "' expects spawnInfo of class "
                    + expected.getName() + " but got " + info.getClass().getName());
        }
        return plugin;
    }
}
