package dev.agentkernel.spawn.sandbox;

import dev.agentkernel.blob.LocalBlobStore;
import dev.agentkernel.packaging.LocalPackaging;
import dev.agentkernel.spawn.Backend;
import dev.agentkernel.spawn.BackendContext;
import dev.agentkernel.spawn.BackendFactory;
import dev.agentkernel.spawn.local.LocalBackend;
import dev.agentkernel.spawn.local.LocalBackendSettings;

/**
 * Backend {@code sandbox}: the local backend with every runner under bubblewrap. Agent directories,
 * status, kill, cleanup, teams and images behave exactly as in {@code local}.
 */
public class SandboxBackendFactory implements BackendFactory {
    public static final String NAME = "sandbox";

    @Override
    public String name() { return NAME; }

    @Override
    public Backend create(BackendContext context) {
        LocalBackendSettings settings = new LocalBackendSettings(context.stateDir(), context.hostEnv(), context.spawnTimeout(),
                null, null, NAME, new SandboxLauncher(context.hostEnv(), context.config().sandbox()));
        // Same directories as the kernel's own packaging: images built through the kernel are found here.
        LocalPackaging packaging = new LocalPackaging(context.stateDir(), new LocalBlobStore(context.stateDir()));
        return new LocalBackend(settings, context.plugins(), context.nonces(), packaging);
    }
}
