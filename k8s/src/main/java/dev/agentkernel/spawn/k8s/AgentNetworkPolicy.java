package dev.agentkernel.spawn.k8s;

import dev.agentkernel.Agent;
import dev.agentkernel.InvalidRequestException;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRuleBuilder;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Kubernetes twin of the sandbox backend's isolated network: one NetworkPolicy per agent pod (owned by the
 * pod, so it goes with it), selecting the pod by its agent id. Egress: DNS (port 53 to kube-dns), the agent's
 * LLM endpoint, the API server (for the owner lease) and the config's {@code sandbox.allow} list, nothing else.
 * Ingress: with {@code access: port-forward} none (a port-forward enters the pod's own network namespace through
 * the kubelet, which NetworkPolicy does not filter); with {@code direct} port 8080 from the kernel's own address.
 * NetworkPolicy matches addresses, not names: host names are resolved when the agent is spawned.
 */
public final class AgentNetworkPolicy {
    /** An address and port the agent may reach. */
    public record Target(String cidr, int port) {}

    private AgentNetworkPolicy() {}

    public static String name(String podName) { return podName + "-net"; }

    public static NetworkPolicy forAgent(String podName, Agent agent, String kernelId, Pod owner, Access access,
                                         List<Target> egress, List<String> ingressCidrs) {
        List<NetworkPolicyEgressRule> out = new ArrayList<>();
        out.add(new NetworkPolicyEgressRuleBuilder()
                .addNewTo().withNewNamespaceSelector().endNamespaceSelector()
                    .withNewPodSelector().addToMatchLabels("k8s-app", "kube-dns").endPodSelector().endTo()
                .addNewPort().withProtocol("UDP").withPort(new IntOrString(53)).endPort()
                .addNewPort().withProtocol("TCP").withPort(new IntOrString(53)).endPort()
                .build());
        for (Target t : egress) {
            out.add(new NetworkPolicyEgressRuleBuilder().addNewTo().withNewIpBlock().withCidr(t.cidr()).endIpBlock().endTo()
                    .addNewPort().withProtocol("TCP").withPort(new IntOrString(t.port())).endPort().build());
        }
        List<NetworkPolicyIngressRule> in = new ArrayList<>();
        if (access == Access.DIRECT && !ingressCidrs.isEmpty()) {
            var rule = new NetworkPolicyIngressRuleBuilder();
            for (String cidr : ingressCidrs) rule.addNewFrom().withNewIpBlock().withCidr(cidr).endIpBlock().endFrom();
            rule.addNewPort().withProtocol("TCP").withPort(new IntOrString(KubernetesSettings.CONTAINER_PORT)).endPort();
            in.add(rule.build());
        }
        Map<String, String> labels = AgentObjects.labels(agent, kernelId);
        return new NetworkPolicyBuilder()
                .withNewMetadata().withName(name(podName)).withLabels(labels).withOwnerReferences(AgentObjects.ownedBy(owner)).endMetadata()
                .withNewSpec()
                    .withNewPodSelector().addToMatchLabels(Labels.AGENT_ID, agent.id()).endPodSelector()
                    .withPolicyTypes("Ingress", "Egress")
                    .withIngress(in)
                    .withEgress(out)
                .endSpec()
                .build();
    }

    /** {@code host:port} (or an IPv4/IPv6 address and port) as one /32 or /128 target per address it resolves to. */
    public static List<Target> resolve(String hostPort, String where) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || hostPort.startsWith("*")) {
            throw new InvalidRequestException(where + " entry '" + hostPort + "' cannot be a NetworkPolicy rule: give host:port"
                    + " (NetworkPolicy matches addresses, so wildcard domains are not possible)");
        }
        String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new InvalidRequestException(where + " entry '" + hostPort + "' has no port number; write host:port");
        }
        return resolve(host, port, where);
    }

    static List<Target> resolve(String host, int port, String where) {
        Set<Target> out = new LinkedHashSet<>();
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (a.isLoopbackAddress()) continue;   // the pod's own loopback: nothing to allow
                out.add(new Target(a.getHostAddress() + (a.getAddress().length == 4 ? "/32" : "/128"), port));
            }
        } catch (UnknownHostException e) {
            throw new InvalidRequestException(where + " host '" + host + "' does not resolve, so no NetworkPolicy rule can allow it: "
                    + e.getMessage());
        }
        return List.copyOf(out);
    }

    /** The URL's host and port (default 443/80) as targets; none for a URL without a host. */
    static List<Target> ofUrl(String url, String where) {
        if (url == null || url.isBlank()) return List.of();
        URI u = URI.create(url.trim());
        if (u.getHost() == null) return List.of();
        int port = u.getPort() > 0 ? u.getPort() : "http".equalsIgnoreCase(u.getScheme()) ? 80 : 443;
        return resolve(u.getHost(), port, where);
    }
}
