package dev.agentkernel.spawn.k8s;

import dev.agentkernel.config.KernelConfig;
import dev.agentkernel.packaging.ImageIndex;
import dev.agentkernel.spawn.Backend;
import dev.agentkernel.spawn.BackendContext;
import dev.agentkernel.spawn.BackendFactory;
import io.fabric8.kubernetes.client.KubernetesClient;

/** Found by {@link java.util.ServiceLoader}: {@code backend: kubernetes} in the kernel config. */
public final class KubernetesBackendFactory implements BackendFactory {

    @Override
    public String name() { return KubernetesBackend.NAME; }

    @Override
    public Backend create(BackendContext context) {
        KernelConfig config = context.config();
        KubernetesClient client = KubeClients.create(config.kubeconfig());
        try {
            KubernetesSettings settings = KubernetesSettings.from(config, client.getNamespace(), context.hostEnv(), context.spawnTimeout());
            return new KubernetesBackend(settings, client, true, context.plugins(), context.nonces(),
                    new ImageIndex(context.stateDir()));
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }
}
